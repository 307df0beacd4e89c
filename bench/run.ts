// `npm run bench`: prints Tandem's figures. Nothing here passes or fails; numbers are for reading.
import { hostileMarkdownReport } from './adf';
import { backendReport, markdownReport } from './backend';
import { bulkRecordsReport, bulkReport } from './bulk';
import { bundleReport } from './bundle';
import { devkitReport } from './devkit';
import { inboundReport } from './inbound';
import { outboundCallsReport } from './outbound-calls';
import { outboundCpuReport } from './outbound-cpu';
import { platformCallsReport } from './platform-calls';
import { propagationReport } from './propagation';
import { sweepReport } from './sweep';

async function main(): Promise<void> {
  const started = Date.now();
  console.log(`Tandem bench — ${new Date().toISOString()} — node ${process.version}\n`);
  console.log(bundleReport().join('\n'));
  console.log();
  console.log(backendReport().join('\n'));
  console.log();
  console.log(markdownReport().join('\n'));
  console.log();
  console.log(hostileMarkdownReport().join('\n'));
  console.log();
  console.log(devkitReport().join('\n'));
  console.log();
  console.log((await platformCallsReport()).join('\n'));
  console.log();
  console.log((await outboundCallsReport()).join('\n'));
  console.log();
  console.log(outboundCpuReport().join('\n'));
  console.log();
  console.log((await inboundReport()).join('\n'));
  console.log();
  console.log((await propagationReport()).join('\n'));
  console.log();
  console.log((await sweepReport()).join('\n'));
  console.log();
  console.log((await bulkReport()).join('\n'));
  console.log();
  console.log((await bulkRecordsReport()).join('\n'));
  const memory = process.memoryUsage();
  console.log(`\nprocess: rss ${(memory.rss / 1048576).toFixed(0)} MB, heap used ${(memory.heapUsed / 1048576).toFixed(0)} MB, ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

void main();
