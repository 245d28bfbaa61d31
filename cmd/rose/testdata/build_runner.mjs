// Runs calls of a module made by `rose build` for build_test.go:
// node build_runner.mjs MODULE.js CASES.json prints one JSON array with,
// per case {export, args}, the result or {"error": message}. NaN and
// infinities print as the CLI prints them ("NaN", "+Inf", "-Inf").
import { readFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";

const [modPath, casesPath] = process.argv.slice(2);
const { load, RoseRuntimeError } = await import(pathToFileURL(modPath).href);
const cases = JSON.parse(await readFile(casesPath, "utf8"));
let m;
try {
  m = await load();
} catch (e) {
  console.log(JSON.stringify({ loadError: String(e.message) }));
  process.exit(0);
}
const out = [];
for (const c of cases) {
  try {
    const t0 = performance.now();
    const r = m[c.export](...c.args);
    out.push({ result: r, ms: performance.now() - t0 });
  } catch (e) {
    out.push({ error: e.message, rose: e instanceof RoseRuntimeError });
  }
}
const special = (k, v) => {
  if (typeof v === "number" && !Number.isFinite(v)) return Number.isNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf";
  if (typeof v === "bigint") return { bigint: String(v) };
  return v;
};
console.log(JSON.stringify(out, special));
