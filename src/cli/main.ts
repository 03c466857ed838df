#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { SharqError } from '../errors/sharq-error.js';
import { ADMIN_COMMANDS, ADMIN_HELP, runAdminCommand } from './admin-commands.js';
import { ADMIN_SERVER_HELP, runAdminServerCommand } from './admin-server-command.js';
import { DATA_HELP, runDataCommand } from './data-command.js';
import { DEV_HELP, runDev } from './dev.js';
import { runServerCommand, SERVER_HELP } from './server-command.js';
import { runWorkerCommand, WORKER_HELP } from './worker-command.js';

const HELP = `sharq — job queues on Kafka share groups

Usage: sharq <command> [options]

Commands:
  dev       run a demo workload on the embedded engine (sharq dev --help)
  worker    run a worker module as one process of a fleet (sharq worker --help)
  server    run the embedded engine as a local Kafka-protocol broker (sharq server --help)
  admin     run the admin API against a Kafka cluster (sharq admin --help)
  data      check or repair an embedded data directory (sharq data --help)
  help      show this text
  version   print the version

${ADMIN_HELP}`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'dev':
      if (rest.includes('--help') || rest.includes('-h')) {
        process.stdout.write(`${DEV_HELP}\n`);
        return 0;
      }
      return runDev(rest);
    case 'server':
      if (rest.includes('--help') || rest.includes('-h')) {
        process.stdout.write(`${SERVER_HELP}\n`);
        return 0;
      }
      return runServerCommand(rest);
    case 'worker':
      if (rest.includes('--help') || rest.includes('-h')) {
        process.stdout.write(`${WORKER_HELP}\n`);
        return 0;
      }
      return runWorkerCommand(rest);
    case 'admin':
      if (rest.includes('--help') || rest.includes('-h')) {
        process.stdout.write(`${ADMIN_SERVER_HELP}\n`);
        return 0;
      }
      return runAdminServerCommand(rest);
    case 'data':
      if (rest.length === 0) {
        process.stdout.write(`${DATA_HELP}\n`);
        return 2;
      }
      return runDataCommand(rest);
    case 'version':
    case '--version': {
      const pkg = JSON.parse(
        readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'),
      ) as { version: string };
      process.stdout.write(`${pkg.version}\n`);
      return 0;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${HELP}\n`);
      return 0;
    default:
      if (command !== undefined && ADMIN_COMMANDS.has(command))
        return runAdminCommand(command, rest);
      process.stderr.write(`sharq: unknown command "${command}"\n\n${HELP}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (SharqError.is(err)) {
      process.stderr.write(`sharq: ${err.message} [${err.code}]\n`);
    } else {
      process.stderr.write(
        `sharq: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
    }
    process.exitCode = 1;
  },
);
