// Times an exported module in Node the way `rose bench --json` times a
// function: the median over SAMPLES samples of at least 20 ms each, per
// call of NAME and of NAME_grad, after one warm-up call.
//
//   node node_bench.mjs MODULE.js NAME ARGS.json [SAMPLES]
//
// Prints [{"example": NAME, "value_ns": ..., "grad_ns": ...}].
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [modPath, name, argsPath, samplesArg] = process.argv.slice(2);
const samples = Number(samplesArg || 5);
const mod = await import(pathToFileURL(modPath).href);
const api = await mod.load(modPath.replace(/\.js$/, ".wasm"));
const args = JSON.parse(readFileSync(argsPath, "utf8"));
const exported = Object.keys(api).filter((k) => k === name || k.startsWith(name + "_")).sort();
const fname = exported.find((k) => !k.endsWith("_grad"));
if (!fname) throw new Error(`no export for ${name}: ${Object.keys(api).join(", ")}`);

function median(f) {
  f();
  const per = [];
  for (let s = 0; s < samples; s++) {
    let calls = 0;
    const t0 = process.hrtime.bigint();
    let t = t0;
    while (calls === 0 || t - t0 < 20_000_000n) {
      f();
      calls++;
      t = process.hrtime.bigint();
    }
    per.push(Number(t - t0) / calls);
  }
  per.sort((a, b) => a - b);
  return Math.round(per[Math.floor(samples / 2)]);
}

const row = { example: fname, value_ns: median(() => api[fname](...args)) };
if (api[fname + "_grad"]) row.grad_ns = median(() => api[fname + "_grad"](...args));
console.log(JSON.stringify([row]));
