// Starts the sandbox as `npm start` does (the same entry point, a child process), on a free port,
// and waits for it to say it is ready.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export const ROOT = join(__dirname, '..', '..');

export const sandboxInfoSchema = z.object({
  baseUrl: z.string(),
  jiraBaseUrl: z.string(),
  itsmBaseUrl: z.string(),
  itsmToken: z.string(),
  adminUrl: z.string(),
  webTriggerUrl: z.string(),
  connectionId: z.string(),
  inboundSecret: z.string(),
});
export type SandboxInfo = z.infer<typeof sandboxInfoSchema>;

export interface SandboxProcess {
  child: ChildProcess;
  base: string;
  info: SandboxInfo;
  output(): string;
  /** Ctrl-C, resolving with the exit code. */
  interrupt(): Promise<number | null>;
  kill(): void;
}

/** The script `npm start` runs, so the test starts exactly what a newcomer starts. */
function startScript(): string[] {
  const scripts = z.object({ scripts: z.object({ start: z.string() }) }).parse(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')));
  const [runner, ...args] = scripts.scripts.start.split(/\s+/);
  if (runner !== 'tsx') throw new Error(`npm start runs ${runner}; this helper knows how to run tsx scripts`);
  return ['--import', 'tsx', ...args];
}

export async function startSandboxProcess(extraArgs: string[] = []): Promise<SandboxProcess> {
  const child = spawn(process.execPath, [...startScript(), ...extraArgs], { cwd: ROOT, env: { ...process.env, PORT: '0' } });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 60_000;
  while (!/Ctrl-C stops it/.test(output)) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`The sandbox did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const base = /Tandem sandbox on (\S+)/.exec(output)?.[1] ?? '';
  const info = sandboxInfoSchema.parse(await (await fetch(`${base}/__sandbox/info`)).json());
  return {
    child,
    base,
    info,
    output: () => output,
    interrupt() {
      if (child.exitCode !== null) return Promise.resolve(child.exitCode);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGINT');
      return exited;
    },
    kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** Polls until `probe` returns a value (not undefined), or fails after `timeoutMs` saying what it waited for. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 2000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Waited ${timeoutMs} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
