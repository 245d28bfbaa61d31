// Headless Chromium test of examples/web: builds billiards.wasm with
// `rose build`, serves the page with `rose serve`, aims a shot by dragging,
// runs gradient steps through the page's buttons, and checks the numbers
// the page shows against `rose grad` / `rose run` exactly. Saves
// examples/web/screenshot.png.
//
//   cd examples/web/test && npm ci && ROSE=/path/to/rose node billiards.test.mjs
//
// Environment: ROSE (default: rose on PATH), CHROMIUM (default
// /usr/bin/chromium), STEPS (gradient steps, default 10).
import { spawn, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const web = join(here, "..");
const source = join(web, "..", "billiards.rose");
const ROSE = process.env.ROSE || "rose";
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const STEPS = Number(process.env.STEPS || 10);
const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

let failures = 0;
function check(what, got, want) {
  const g = JSON.stringify(got), w = JSON.stringify(want);
  if (g === w) console.log(`ok   ${what}: ${g}`);
  else {
    failures++;
    console.log(`FAIL ${what}:\n  page ${g}\n  cli  ${w}`);
  }
}

const rose = (...args) => execFileSync(ROSE, args, { encoding: "utf8" });
const cliGrad = (x0, v0) => JSON.parse(rose("grad", source, "-f", "loss", "--args", JSON.stringify([x0, v0])));
const cliLoss = (x0, v0) => JSON.parse(rose("run", source, "-f", "loss", "--args", JSON.stringify([x0, v0])));

// 1. Build.
console.log(rose("build", source, "-o", join(web, "billiards.wasm")).trim());
console.log(`billiards.wasm: ${statSync(join(web, "billiards.wasm")).size} bytes`);

// 2. Serve on a free port.
const server = spawn(ROSE, ["serve", "-addr", "127.0.0.1:0", web], { stdio: ["ignore", "pipe", "inherit"] });
const base = await new Promise((resolve, reject) => {
  let out = "";
  server.stdout.on("data", (d) => {
    out += d;
    const m = out.match(/on (http:\/\/\S+)/);
    if (m) resolve(m[1]);
  });
  server.on("exit", (code) => reject(new Error(`rose serve exited with ${code}`)));
  setTimeout(() => reject(new Error("rose serve did not start")), 10000);
});
console.log(`serving at ${base}`);

const profile = mkdtempSync(join(tmpdir(), "rose-web-chromium-"));
let context;
try {
  // 3. The page in headless Chromium.
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1200, height: 800 },
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const page = context.pages()[0] || (await context.newPage());
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await page.goto(base + "index.html");
  await page.evaluate(() => window.billiards.ready);
  console.log(`page loaded (${elapsed()})`);

  // 4. The initial shot: loss and gradient as rose grad prints them.
  let s = await page.evaluate(() => window.billiards.state());
  const g0 = cliGrad(s.x0, s.v0);
  check("initial loss and gradient", { value: s.loss, grad: s.grad }, g0);

  // 5. Aim by dragging on the canvas, then check the new shot.
  const box = await page.locator("#table").boundingBox();
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.5);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.55, box.y + box.height * 0.45, { steps: 5 });
  await page.mouse.up();
  s = await page.evaluate(() => window.billiards.state());
  check(`loss after dragging the aim to v0 = ${JSON.stringify(s.v0)}`, s.loss, cliLoss(s.x0, s.v0));
  if (JSON.stringify(s.v0) === JSON.stringify([0.3, 0])) {
    failures++;
    console.log("FAIL dragging did not change v0");
  }

  // 6. Back to the reference shot, then STEPS gradient steps by the
  // buttons; the CLI takes the same steps: v0 <- v0 - lr * dloss/dv0.
  await page.click("#reset");
  const lr = Number(await page.inputValue("#lr"));
  const t1 = Date.now();
  for (let k = 0; k < STEPS; k += 10) {
    const n = Math.min(10, STEPS - k);
    if (n === 10) await page.click("#step10");
    else for (let i = 0; i < n; i++) await page.click("#step");
    await page.waitForFunction((want) => window.billiards.state().steps === want, k + n, { timeout: 60000 });
  }
  const pageMs = Date.now() - t1;
  s = await page.evaluate(() => window.billiards.state());
  let v0 = [0.3, 0.0];
  const x0 = [0.1, 0.5];
  let g = g0;
  const t2 = Date.now();
  for (let k = 0; k < STEPS; k++) {
    v0 = v0.map((v, i) => v - lr * g.grad[1][i]);
    g = cliGrad(x0, v0);
  }
  const cliMs = Date.now() - t2;
  check(`v0 after ${STEPS} steps (lr ${lr})`, s.v0, v0);
  check(`loss and gradient after ${STEPS} steps`, { value: s.loss, grad: s.grad }, g);
  check(`loss after ${STEPS} steps, by rose run`, s.loss, cliLoss(x0, v0));
  console.log(`loss ${g0.value} -> ${s.loss}; ${STEPS} steps: ${pageMs} ms in the page (with drawing), ${cliMs} ms by ${STEPS} rose grad processes`);
  if (!(s.loss < g0.value)) {
    failures++;
    console.log("FAIL the loss did not decrease");
  }

  // 7. A screenshot of the table and the trajectories.
  // The committed one is rewritten only with UPDATE=1; otherwise it goes
  // to test/out/ (ignored), so a run leaves the tree clean.
  const shot = process.env.UPDATE === "1" ? join(web, "screenshot.png") : join(web, "test", "out", "screenshot.png");
  mkdirSync(dirname(shot), { recursive: true });
  await page.screenshot({ path: shot });
  const text = await page.textContent("#error");
  if (text) errors.push(text);
  check("page errors", errors, []);
} finally {
  if (context) await context.close();
  server.kill();
  rmSync(profile, { recursive: true, force: true });
}
console.log(`${failures === 0 ? "PASS" : "FAIL"} (${elapsed()})`);
process.exit(failures === 0 ? 0 : 1);
