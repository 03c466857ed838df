/**
 * A `sharq server` process for the benches: the built CLI (`dist/src/cli/main.js server`, or
 * `src/cli/main.ts` under tsx when the bench itself runs from source) on a free port and a fresh
 * data directory, started the way a user starts it. `stop()` sends SIGTERM, as a process
 * manager would, and checks the clean exit; with `cpuProfDir` the process writes a V8 CPU
 * profile there when it exits.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

export interface ServerProcess {
  brokers: string[];
  pid: number;
  dataDir: string;
  /** SIGTERM, wait for the exit (it must be 0), remove the data directory. */
  stop(): Promise<void>;
}

const fromSource = path.extname(import.meta.filename) === '.ts';
const ownMain = path.join(
  import.meta.dirname,
  '..',
  'src',
  'cli',
  fromSource ? 'main.ts' : 'main.js',
);

export async function startServerProcess(
  options: {
    cpuProfDir?: string | undefined;
    profileName?: string;
    /** Another build's CLI entry (a before/after comparison); default this build's. */
    main?: string | undefined;
    /** More `sharq server` flags, e.g. `--fsync interval`. */
    args?: readonly string[];
  } = {},
): Promise<ServerProcess> {
  const main = options.main ?? ownMain;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sharq-bench-server-'));
  const execArgv = [
    ...(main.endsWith('.ts') ? ['--import', 'tsx'] : []),
    ...(options.cpuProfDir === undefined
      ? []
      : [
          '--cpu-prof',
          '--cpu-prof-dir',
          options.cpuProfDir,
          '--cpu-prof-name',
          options.profileName ?? 'server.cpuprofile',
        ]),
  ];
  const child = spawn(
    process.execPath,
    [...execArgv, main, 'server', '--port', '0', '--data-dir', dataDir, ...(options.args ?? [])],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`sharq server not listening:\n${stderr}`)),
      30_000,
    );
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      const m = JSON.parse(line) as { event?: string; port?: number };
      if (m.event === 'listening' && m.port !== undefined) {
        clearTimeout(timer);
        resolve(m.port);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`sharq server exited ${code}:\n${stderr}`));
    });
  });
  return {
    brokers: [`127.0.0.1:${port}`],
    pid: child.pid!,
    dataDir,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const code = await exited;
      await rm(dataDir, { recursive: true, force: true });
      if (code !== 0) throw new Error(`sharq server exited ${code}:\n${stderr.slice(-2000)}`);
    },
  };
}
