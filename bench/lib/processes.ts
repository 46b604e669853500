import { type ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ServerProcess {
  url: string;
  stop(): Promise<void>;
}

/** Starts a Node server as its own process and waits until `readyPath` answers 200. */
export async function startServerProcess(options: {
  name: string;
  args: string[];
  env: Record<string, string>;
  port: number;
  readyPath: string;
  cwd?: string;
}): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, options.args, {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', ...options.env },
    // Output is discarded, not buffered: a full pipe would stall the server mid-bench.
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${options.name} exited with ${child.exitCode}`);
    const ready = await fetch(`${url}${options.readyPath}`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) {
      return {
        url,
        async stop() {
          if (child.exitCode !== null) return;
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          await exited;
        },
      };
    }
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`${options.name} did not become ready on ${url}${options.readyPath}`);
}
