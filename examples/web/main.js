// The billiards page: loads billiards.wasm through the ES module that
// `rose build` generates next to it, draws the break, and aims the shot by
// gradient descent on the loss. No framework, no build step.
import { load } from "./billiards.js";

const X0 = [0.1, 0.5]; // where the cue ball starts (examples/billiards.rose's reference shot)
const V0 = [0.3, 0.0]; // how it is struck
const GOAL = [0.9, 0.75]; // the goal of examples/billiards.rose
const RADIUS = 0.03;
const TARGET = 10; // the ball that should reach the goal

const canvas = document.getElementById("table");
const ctx = canvas.getContext("2d");
const $ = (id) => document.getElementById(id);

const state = { x0: X0.slice(), v0: V0.slice(), loss: NaN, grad: null, steps: 0, path: null, ms: 0 };
let m; // the module's functions

// The table shows [0, 1] x [0.2, 1.0] of the simulation's plane, y up.
const view = { x: 0, y: 0.2, w: 1, h: 0.8 };
const sx = (x) => ((x - view.x) / view.w) * canvas.width;
const sy = (y) => canvas.height - ((y - view.y) / view.h) * canvas.height;
const wx = (px) => view.x + (px / canvas.width) * view.w;
const wy = (py) => view.y + ((canvas.height - py) / canvas.height) * view.h;
const scale = canvas.width / view.w;

const fmt = (x) => x.toPrecision(6);
const fmtv = (v) => `[${v.map(fmt).join(", ")}]`;

// evaluate computes the loss, its gradient and the trajectories at the
// current shot.
function evaluate() {
  const t0 = performance.now();
  const g = m.loss_grad(state.x0, state.v0);
  state.ms = performance.now() - t0;
  state.loss = g.value;
  state.grad = g.grad;
  state.path = m.trajectory(state.x0, state.v0);
}

// step takes one gradient step on v0: v0 <- v0 - lr * dloss/dv0.
function step() {
  const lr = Number($("lr").value);
  const dv = state.grad[1];
  state.v0 = state.v0.map((v, i) => v - lr * dv[i]);
  state.steps++;
  evaluate();
}

function ball(x, y, fill, alpha = 1) {
  ctx.globalAlpha = alpha;
  ctx.beginPath();
  ctx.arc(sx(x), sy(y), RADIUS * scale, 0, 2 * Math.PI);
  ctx.fillStyle = fill;
  ctx.fill();
  ctx.lineWidth = 1;
  ctx.strokeStyle = "#0008";
  ctx.stroke();
  ctx.globalAlpha = 1;
}

const colorOf = (b) => (b === 0 ? "#fff" : b === TARGET ? "#e03030" : "#f2c530");

function draw() {
  ctx.fillStyle = "#1f6b3a";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  // The goal.
  ctx.strokeStyle = "#ff6b6b";
  ctx.lineWidth = 3;
  ctx.beginPath();
  ctx.arc(sx(GOAL[0]), sy(GOAL[1]), RADIUS * scale * 1.4, 0, 2 * Math.PI);
  ctx.stroke();
  ctx.beginPath();
  ctx.moveTo(sx(GOAL[0]) - 8, sy(GOAL[1]));
  ctx.lineTo(sx(GOAL[0]) + 8, sy(GOAL[1]));
  ctx.moveTo(sx(GOAL[0]), sy(GOAL[1]) - 8);
  ctx.lineTo(sx(GOAL[0]), sy(GOAL[1]) + 8);
  ctx.stroke();
  const path = state.path;
  if (!path) return;
  const n = path[0].length;
  // Where the balls start, faintly; the trajectories; where they end.
  for (let b = 0; b < n; b++) ball(path[0][b][0], path[0][b][1], colorOf(b), 0.3);
  for (let b = 0; b < n; b++) {
    ctx.strokeStyle = colorOf(b);
    ctx.globalAlpha = 0.85;
    ctx.lineWidth = b === 0 || b === TARGET ? 2.5 : 1.5;
    ctx.beginPath();
    path.forEach((frame, f) => (f === 0 ? ctx.moveTo(sx(frame[b][0]), sy(frame[b][1])) : ctx.lineTo(sx(frame[b][0]), sy(frame[b][1]))));
    ctx.stroke();
    ctx.globalAlpha = 1;
  }
  const last = path[path.length - 1];
  for (let b = 0; b < n; b++) ball(last[b][0], last[b][1], colorOf(b));
  // The aim: an arrow from the cue ball's start along v0.
  const [x, y] = state.x0;
  const [hx, hy] = [x + state.v0[0], y + state.v0[1]];
  ctx.strokeStyle = "#fff";
  ctx.fillStyle = "#fff";
  ctx.lineWidth = 2;
  ctx.setLineDash([6, 4]);
  ctx.beginPath();
  ctx.moveTo(sx(x), sy(y));
  ctx.lineTo(sx(hx), sy(hy));
  ctx.stroke();
  ctx.setLineDash([]);
  const a = Math.atan2(sy(hy) - sy(y), sx(hx) - sx(x));
  ctx.beginPath();
  ctx.moveTo(sx(hx), sy(hy));
  ctx.lineTo(sx(hx) - 14 * Math.cos(a - 0.4), sy(hy) - 14 * Math.sin(a - 0.4));
  ctx.lineTo(sx(hx) - 14 * Math.cos(a + 0.4), sy(hy) - 14 * Math.sin(a + 0.4));
  ctx.fill();
  ctx.font = "14px system-ui, sans-serif";
  ctx.fillText(`loss ${fmt(state.loss)}   steps ${state.steps}`, 12, 22);
}

function show() {
  $("loss").textContent = fmt(state.loss);
  $("v0").textContent = fmtv(state.v0);
  $("grad").textContent = fmtv(state.grad[1]);
  $("steps").textContent = String(state.steps);
  $("time").textContent = `${state.ms.toFixed(1)} ms`;
  draw();
}

function log(line) {
  const el = $("log");
  el.textContent += line + "\n";
  el.scrollTop = el.scrollHeight;
}

const frame = () => new Promise((r) => requestAnimationFrame(() => r()));

// run takes n gradient steps, redrawing after each.
async function run(n) {
  for (let i = 0; i < n; i++) {
    step();
    log(`step ${state.steps}: loss ${fmt(state.loss)} v0 ${fmtv(state.v0)}`);
    show();
    await frame();
  }
}

function reset() {
  state.x0 = X0.slice();
  state.v0 = V0.slice();
  state.steps = 0;
  evaluate();
  show();
}

// Dragging anywhere on the table aims the shot: v0 points from the cue
// ball's start to the pointer.
let dragging = false;
function aim(ev) {
  const r = canvas.getBoundingClientRect();
  const px = ((ev.clientX - r.left) / r.width) * canvas.width;
  const py = ((ev.clientY - r.top) / r.height) * canvas.height;
  state.v0 = [wx(px) - state.x0[0], wy(py) - state.x0[1]];
  state.steps = 0;
  evaluate();
  show();
}
canvas.addEventListener("pointerdown", (ev) => {
  dragging = true;
  canvas.setPointerCapture(ev.pointerId);
  aim(ev);
});
canvas.addEventListener("pointermove", (ev) => dragging && aim(ev));
canvas.addEventListener("pointerup", () => (dragging = false));

let busy = false;
const guarded = (f) => async () => {
  if (busy || !m) return;
  busy = true;
  try {
    await f();
  } catch (e) {
    $("error").textContent = e.message;
  } finally {
    busy = false;
  }
};
$("step").addEventListener("click", guarded(() => run(1)));
$("step10").addEventListener("click", guarded(() => run(10)));
$("reset").addEventListener("click", guarded(reset));

// A hook for tests and the console: the state, and the same operations
// as the buttons.
const ready = (async () => {
  try {
    m = await load();
  } catch (e) {
    $("error").textContent = `cannot load billiards.wasm (build it: rose build examples/billiards.rose -o examples/web/billiards.wasm): ${e.message}`;
    throw e;
  }
  reset();
  log(`loaded: loss ${fmt(state.loss)} at v0 ${fmtv(state.v0)}`);
})();
window.billiards = {
  ready,
  state: () => JSON.parse(JSON.stringify({ x0: state.x0, v0: state.v0, loss: state.loss, grad: state.grad, steps: state.steps })),
  run: (n) => guarded(() => run(n))(),
  reset: () => guarded(reset)(),
};
