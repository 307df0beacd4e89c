// `npm start`: the sandbox on one port (PORT, default 8080; 0 picks a free one). State lives in
// memory; `--data <file>` keeps Jira, StackFlow, the product tool and Tandem's storage between runs; `--existing N` starts
// with N OPS bugs and N/2 incidents made before Tandem was connected.
import { resolve } from 'node:path';
import { startSandbox } from './sandbox';

function argValue(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index === -1 ? undefined : process.argv[index + 1];
}

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, not ${process.env.PORT}`);
  const dataFile = argValue('--data');
  const existing = Number(argValue('--existing') ?? 0);
  if (!Number.isInteger(existing) || existing < 0 || existing > 20_000) throw new Error('--existing takes a number of issues, 0 to 20000');
  const sandbox = await startSandbox({ port, existing, ...(dataFile ? { dataFile: resolve(dataFile) } : {}) });
  const { info } = sandbox;

  console.log(`Tandem sandbox on ${info.baseUrl}`);
  console.log(`  home           ${info.baseUrl}/   (links and live activity)`);
  console.log(`  admin page     ${info.adminUrl}`);
  console.log(`  Jira           ${info.baseUrl}/jira   (REST: ${info.jiraBaseUrl}/rest/api/3/)`);
  console.log(`  StackFlow      ${info.itsmBaseUrl}   (API: ${info.itsmBaseUrl}/api/, token ${info.itsmToken})`);
  console.log(`  web trigger    ${info.webTriggerUrl}`);
  console.log(`  info (JSON)    ${info.baseUrl}/__sandbox/info`);
  if (dataFile) console.log(`  data file      ${resolve(dataFile)}`);
  if (info.existing > 0) console.log(`  existing       ${info.existing} OPS bugs and ${Math.floor(info.existing / 2)} incidents not synced yet: try Sync existing on the admin page`);
  console.log('Ctrl-C stops it.');

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping the sandbox…');
    sandbox.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error instanceof Error ? error.message : error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
