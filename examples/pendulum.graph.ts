// A damped pendulum θ'' = −ω²·sin θ − γ·θ', integrated by classic RK4 over 1,000 steps of 0.01 s
// inside one g.scan, and fitted to noisy observations of the angle (examples/pendulum.ts). The four
// params p = (γ, ω, θ₀, v₀) are the damping, the natural frequency and the initial state. The
// objective is ½·Σ rᵢ² with rᵢ = θ(tᵢ) − observedᵢ at every 20th step; the residuals' 50×4
// Jacobian (forward mode: 4 tangent loops) feeds Gauss–Newton, the 4×4 Hessian (forward over
// reverse through the scan) feeds Newton.
import { program } from "adjoint";
import type { Node, ProgramBuilder } from "adjoint";

export const steps = 1000;
export const dt = 0.01;
/** An observation after every `stride` steps: at t = 0.2 s, 0.4 s, ..., 10 s. */
export const stride = 20;
export const observations = steps / stride;
/** Where the fit starts: (γ, ω, θ₀, v₀). */
export const start: readonly number[] = [0.1, 1.8, 0.8, 0.5];

interface State {
  readonly angle: Node;
  readonly velocity: Node;
}

/** The right-hand side: (θ, v)' = (v, −ω²·sin θ − γ·v). */
function rate(g: ProgramBuilder, s: State, damping: Node, frequency: Node): State {
  const restoring = g.mul(g.square(frequency), g.sin(s.angle));
  return { angle: s.velocity, velocity: g.neg(g.add(restoring, g.mul(damping, s.velocity))) };
}

/** s + h·k, componentwise. */
function shift(g: ProgramBuilder, s: State, k: State, h: number): State {
  return {
    angle: g.add(s.angle, g.mul(h, k.angle)),
    velocity: g.add(s.velocity, g.mul(h, k.velocity)),
  };
}

/** One classic RK4 step: s + h/6·(k₁ + 2k₂ + 2k₃ + k₄). */
function rk4(g: ProgramBuilder, s: State, damping: Node, frequency: Node): State {
  const f = (at: State) => rate(g, at, damping, frequency);
  const k1 = f(s);
  const k2 = f(shift(g, s, k1, dt / 2));
  const k3 = f(shift(g, s, k2, dt / 2));
  const k4 = f(shift(g, s, k3, dt));
  const combine = (pick: (k: State) => Node) =>
    g.add(g.add(pick(k1), pick(k4)), g.mul(2, g.add(pick(k2), pick(k3))));
  return shift(
    g,
    s,
    { angle: combine((k) => k.angle), velocity: combine((k) => k.velocity) },
    dt / 6,
  );
}

export default program("pendulum", (g) => {
  const p = g.param("p", [4], { init: [...start] });
  const observed = g.input("observed", [observations]);
  const entry = (k: number) => g.reshape(g.slice(p, [k], [k + 1]), []);
  const [damping, frequency] = [entry(0), entry(1)];
  const [, angles] = g.scan(
    (s: State) => {
      const next = rk4(g, s, damping, frequency);
      return [next, next.angle];
    },
    { angle: entry(2), velocity: entry(3) },
    undefined,
    { length: steps },
  );
  // the angle after steps 20, 40, ..., 1000: the last column of the [50, 20] reshape
  const sampled = g.reshape(
    g.slice(g.reshape(angles, [observations, stride]), [0, stride - 1], [observations, stride]),
    [observations],
  );
  const residuals = g.name(g.sub(sampled, observed), "residuals");
  const loss = g.mul(0.5, g.sum(g.square(residuals)));
  const gradient = g.grad(loss, p);
  g.entry("trajectory", { fetch: { angles } });
  g.entry("value", { fetch: { loss } });
  g.entry("gradient", { fetch: { loss, gradient } });
  g.entry("gaussNewton", {
    fetch: { loss, gradient, residuals, jacobian: g.jacobian(residuals, p) },
  });
  g.entry("newton", { fetch: { loss, gradient, hessian: g.hessian(loss, p) } });
});
