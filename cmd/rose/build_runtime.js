// The runtime, the same in every generated module: M above is the manifest.

/** A runtime error of a Rose function, worded as 'rose run' words it. */
export class RoseRuntimeError extends Error {
  constructor(message, reason, func, position, calls) {
    super(message);
    this.name = "RoseRuntimeError";
    this.reason = reason;
    this.func = func;
    this.position = position;
    this.calls = calls;
  }
}

// What the module imports from "rose": the context poll (a page has no
// cancellation to report). The math builtins are inside the module.
const HOST = {
  done: () => 0,
};

async function bytesOf(source) {
  if (source instanceof WebAssembly.Module) return source;
  if (source === undefined) source = new URL(M.wasm, import.meta.url);
  if (typeof source === "string" && typeof window === "undefined" && typeof process !== "undefined" && !/^[a-z][a-z0-9+.-]*:/i.test(source)) {
    const fs = await import("node:fs/promises");
    return fs.readFile(source); // a file path in Node
  }
  if (typeof source === "string" || source instanceof URL) {
    const url = new URL(source, typeof location !== "undefined" ? location.href : import.meta.url);
    if (url.protocol === "file:") {
      const fs = await import("node:fs/promises");
      return fs.readFile(url);
    }
    source = await fetch(url);
  }
  if (typeof Response !== "undefined" && source instanceof Response) {
    if (!source.ok) throw new Error(`${M.wasm}: HTTP ${source.status} ${source.statusText}`);
    return source.arrayBuffer();
  }
  return source; // an ArrayBuffer or a view of one
}

/** Loads the module; see the .d.ts next to this file. */
export async function load(source) {
  const b = await bytesOf(source);
  const mod = b instanceof WebAssembly.Module ? b : await WebAssembly.compile(b);
  const rose = {};
  for (const im of WebAssembly.Module.imports(mod)) {
    if (im.module !== "rose" || !(im.name in HOST)) {
      throw new Error(`${M.wasm} imports ${im.module}.${im.name}, which this runtime does not provide`);
    }
    rose[im.name] = HOST[im.name];
  }
  const inst = await WebAssembly.instantiate(mod, { rose });
  const out = {};
  for (const e of M.exports) {
    if (e.g) {
      e.grad ??= [];
      const n = e.grad.length;
      out[e.name] = (...args) => {
        if (args.length !== n) throw new TypeError(`${e.name}: want ${n} arguments, got ${args.length}`);
        const r = call(inst, e, [...args, 1]);
        return { value: r[0], grad: e.grad.map((isNull, i) => (isNull ? null : r[i + 1])) };
      };
    } else {
      out[e.name] = (...args) => call(inst, e, args);
    }
  }
  return out;
}

function call(inst, e, args) {
  const x = inst.exports;
  if (args.length !== e.p.length) throw new TypeError(`${e.name}: want ${e.p.length} arguments, got ${args.length}`);
  let dv = new DataView(x.memory.buffer);
  e.p.forEach(([off, t], i) => put(dv, off, t, args[i], `${e.name}: argument ${i + 1}`));
  dv.setUint32(M.failRecord, 0, true);
  try {
    x[e.name](0n, 0, 0n);
  } catch (err) {
    dv = new DataView(x.memory.buffer);
    const code = dv.getUint32(M.failRecord, true);
    if (code === 0) throw err;
    throw failure(dv, e, code);
  }
  dv = new DataView(x.memory.buffer);
  return get(dv, e.r[0], e.r[1]);
}

function put(dv, off, t, v, where) {
  switch (t) {
    case "r":
      if (typeof v === "string" && (v === "NaN" || v === "+Inf" || v === "-Inf")) v = v === "NaN" ? NaN : v === "+Inf" ? Infinity : -Infinity;
      if (typeof v !== "number") throw new TypeError(`${where}: expected a number, got ${typeof v}`);
      dv.setFloat64(off, v, true);
      return;
    case "i":
      if (typeof v === "number" && Number.isInteger(v)) v = BigInt(v);
      if (typeof v !== "bigint") throw new TypeError(`${where}: expected an integer, got ${v}`);
      dv.setBigInt64(off, v, true);
      return;
    case "b":
      if (typeof v !== "boolean") throw new TypeError(`${where}: expected a boolean, got ${typeof v}`);
      dv.setBigInt64(off, v ? 1n : 0n, true);
      return;
  }
  if (t.a !== undefined) {
    if (!Array.isArray(v) || v.length !== t.a) throw new TypeError(`${where}: expected an array of ${t.a} elements`);
    for (let i = 0; i < t.a; i++) put(dv, off + 8 * i * t.s, t.e, v[i], `${where}[${i}]`);
    return;
  }
  if (t.f) {
    if (v === null || typeof v !== "object" || Array.isArray(v)) throw new TypeError(`${where}: expected an object with fields ${t.f.join(", ")}`);
    t.t.forEach((et, i) => {
      if (!(t.f[i] in v)) throw new TypeError(`${where}: missing field ${t.f[i]}`);
      put(dv, off + 8 * t.o[i], et, v[t.f[i]], `${where}.${t.f[i]}`);
    });
    return;
  }
  if (!Array.isArray(v) || v.length !== t.t.length) throw new TypeError(`${where}: expected an array of ${t.t.length} elements`);
  t.t.forEach((et, i) => put(dv, off + 8 * t.o[i], et, v[i], `${where}[${i}]`));
}

function get(dv, off, t) {
  switch (t) {
    case "r":
      return dv.getFloat64(off, true);
    case "i": {
      const v = dv.getBigInt64(off, true);
      return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
    }
    case "b":
      return dv.getUint32(off, true) !== 0;
  }
  if (t.a !== undefined) {
    const out = new Array(t.a);
    for (let i = 0; i < t.a; i++) out[i] = get(dv, off + 8 * i * t.s, t.e);
    return out;
  }
  if (t.f) {
    const o = {};
    t.t.forEach((et, i) => (o[t.f[i]] = get(dv, off + 8 * t.o[i], et)));
    return o;
  }
  return t.t.map((et, i) => get(dv, off + 8 * t.o[i], et));
}

// goFloat formats x as Go's %v does.
function goFloat(x) {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "+Inf";
  if (x === -Infinity) return "-Inf";
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  const [m, e] = x.toExponential().split("e");
  const exp = Number(e);
  if (exp < -4 || exp >= 6) {
    const a = Math.abs(exp);
    return `${m}e${exp < 0 ? "-" : "+"}${a < 10 ? "0" : ""}${a}`;
  }
  return String(x);
}

function failure(dv, e, code) {
  const r = M.failRecord;
  const [fn, pos] = M.sites[dv.getUint32(r + 4, true)];
  const a = dv.getBigInt64(r + 8, true);
  const b = dv.getBigInt64(r + 16, true);
  let reason;
  switch (M.failures[code]) {
    case "index": reason = `index ${a} out of range [0, ${b})`; break;
    case "div": reason = "integer division by zero"; break;
    case "mod": reason = "integer modulo by zero"; break;
    case "toint": reason = `int(${goFloat(new Float64Array(new BigInt64Array([a]).buffer)[0])}) is out of the range of Int`; break;
    case "shift": reason = `shift count ${a} is outside 0..63`; break;
    case "while": reason = `while loop exceeded its bound of ${a} steps`; break;
    case "memory": reason = "memory budget exceeded: the WebAssembly memory cannot grow"; break;
    default: reason = `failure ${code}`;
  }
  // The call chain: from the entry's function, follow each function's
  // call in progress down to the failing one.
  const calls = [];
  let f = e.fn;
  for (let k = 0; k < M.funcs.length && f !== fn; k++) {
    const [, cpos, callee] = M.sites[dv.getUint32(M.callSlots + 4 * f, true)];
    calls.push({ func: M.funcs[f], position: cpos });
    f = callee;
  }
  calls.reverse();
  let msg = `${pos}: runtime error: ${reason}\n\tin ${M.funcs[fn]}`;
  for (const c of calls) msg += `\n\tcalled from ${c.func} at ${c.position}`;
  return new RoseRuntimeError(msg, reason, M.funcs[fn], pos, calls);
}
