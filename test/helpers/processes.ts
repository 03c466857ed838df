// Child processes in tests: a TypeScript fixture run under tsx, a free port, the environment
// without the SHARQ_* settings of the process running the tests.
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';

export interface FixtureChild {
  p: ChildProcess;
  exited: Promise<number | null>;
  output(): string;
  errors(): string;
}

/** Starts `node --import tsx <script> <config as JSON>` with stdin, stdout and stderr piped. */
export function startFixture(script: string, config: unknown): FixtureChild {
  const p = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(config)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  p.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  p.stderr!.setEncoding('utf8').on('data', (d: string) => {
    err += d;
  });
  p.stdin!.on('error', () => undefined);
  const exited = new Promise<number | null>((resolve) => p.on('exit', (code) => resolve(code)));
  return { p, exited, output: () => out, errors: () => err };
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** `process.env` without any SHARQ_* variable, for a child that is to be given only its own. */
export function envWithoutSharq(): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SHARQ_')));
}
