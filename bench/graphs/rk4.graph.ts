// RK4 integration of a damped pendulum, θ'' = −w²·sin θ − c·θ', over T = 1,000 steps of h = 0.01:
// the misfit Σ (θ_t − observed_t)² of the integrated angle to observations, and its gradient with
// respect to the parameters (w², c) and the initial state (θ0, ω0). Two gradients of the same loop:
// one storing every carry, one checkpointing every √T ≈ 32 steps (bit for bit the same numbers).
import { program, type Node, type ProgramBuilder } from "adjoint";

export const steps = 1000;
export const h = 0.01;
/** The √T policy: a checkpoint every round(√1000) = 32 steps. */
export const every = Math.round(Math.sqrt(steps));

interface State {
  readonly theta: Node;
  readonly omega: Node;
}

export default program("rk4", (g) => {
  const w2 = g.input("w2");
  const c = g.input("c");
  const theta0 = g.input("theta0");
  const omega0 = g.input("omega0");
  const observed = g.input("observed", [steps]);
  const misfit = (checkpoint?: { every: number }) => {
    const [, squares] = g.scan(
      (s: State, seen: Node) => {
        const next = rk4Step(g, s, w2, c);
        return [next, g.square(g.sub(next.theta, seen))];
      },
      { theta: theta0, omega: omega0 },
      observed,
      checkpoint === undefined ? {} : { checkpoint },
    );
    return g.sum(squares);
  };
  const wrt = { w2, c, theta0, omega0 };
  const loss = misfit();
  g.entry("value", { fetch: { loss } });
  g.entry("gradAll", { fetch: { loss, grad: g.grad(loss, wrt) } });
  const checkpointed = misfit({ every });
  g.entry("gradCheckpointed", { fetch: { loss: checkpointed, grad: g.grad(checkpointed, wrt) } });
});

/** One classical Runge–Kutta step of (θ, ω)' = (ω, −w²·sin θ − c·ω). */
function rk4Step(g: ProgramBuilder, s: State, w2: Node, c: Node): State {
  const field = (theta: Node, omega: Node): State => ({
    theta: omega,
    omega: g.sub(g.neg(g.mul(w2, g.sin(theta))), g.mul(c, omega)),
  });
  const along = (k: State, by: number): State => ({
    theta: g.add(s.theta, g.mul(by, k.theta)),
    omega: g.add(s.omega, g.mul(by, k.omega)),
  });
  const k1 = field(s.theta, s.omega);
  const a2 = along(k1, h / 2);
  const k2 = field(a2.theta, a2.omega);
  const a3 = along(k2, h / 2);
  const k3 = field(a3.theta, a3.omega);
  const a4 = along(k3, h);
  const k4 = field(a4.theta, a4.omega);
  const combine = (pick: (k: State) => Node, start: Node) =>
    g.add(
      start,
      g.mul(h / 6, g.add(g.add(pick(k1), g.mul(2, pick(k2))), g.add(g.mul(2, pick(k3)), pick(k4)))),
    );
  return { theta: combine((k) => k.theta, s.theta), omega: combine((k) => k.omega, s.omega) };
}
