import { PgliteWarehouse } from './lib/local/redshift-data/in-process';
const t0 = performance.now();
const wh = await PgliteWarehouse.open();
const t1 = performance.now();
await wh.migrate();
const c = process.cpuUsage();
console.log(`open ${(t1 - t0).toFixed(0)} ms, migrate ${(performance.now() - t1).toFixed(0)} ms, cpu ${((c.user + c.system) / 1000).toFixed(0)} ms`);
