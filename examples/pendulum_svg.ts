// The pendulum fit as a small SVG chart: the observations as dots, the true and the fitted angle as
// lines against time. Only numbers from seeded data go in, each printed to a fixed precision, so the
// same run gives the same bytes.

export interface PendulumPlot {
  /** The observed angle after every `stride` steps. */
  readonly observed: readonly number[];
  /** The angle at t = 0, dt, 2dt, ... for the true and the fitted parameters. */
  readonly truth: readonly number[];
  readonly fitted: readonly number[];
  readonly dt: number;
  readonly stride: number;
}

const width = 640;
const height = 320;
const margin = { left: 56, right: 20, top: 40, bottom: 44 };
const plotWidth = width - margin.left - margin.right;
const plotHeight = height - margin.top - margin.bottom;
const colors = { observed: "#333333", truth: "#4c78a8", fitted: "#e45756" };

export function pendulumSvg(plot: PendulumPlot): string {
  const tMax = (plot.truth.length - 1) * plot.dt;
  const all = [...plot.observed, ...plot.truth, ...plot.fitted];
  const yMax = Math.ceil(Math.max(...all.map(Math.abs)) * 4) / 4;
  const x = (t: number) => margin.left + (t / tMax) * plotWidth;
  const y = (angle: number) => margin.top + ((yMax - angle) / (2 * yMax)) * plotHeight;
  const curve = (values: readonly number[], color: string) =>
    `<polyline points="${values.map((v, i) => `${fmt(x(i * plot.dt))},${fmt(y(v))}`).join(" ")}" fill="none" stroke="${color}" stroke-width="1.5"/>`;
  const dots = plot.observed.map(
    (v, k) =>
      `<circle cx="${fmt(x((k + 1) * plot.stride * plot.dt))}" cy="${fmt(y(v))}" r="2.5" fill="${colors.observed}"/>`,
  );
  const bottom = margin.top + plotHeight;
  const timeTicks = Array.from({ length: Math.floor(tMax) + 1 }, (_, t) => t);
  const angleTicks = [-yMax, -yMax / 2, 0, yMax / 2, yMax];
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="14">Damped pendulum: RK4 fit to noisy observations of the angle</text>`,
    ...angleTicks.map(
      (v) =>
        `<line x1="${margin.left}" y1="${fmt(y(v))}" x2="${margin.left + plotWidth}" y2="${fmt(y(v))}" stroke="#e5e5e5"/>` +
        `<text x="${margin.left - 6}" y="${fmt(y(v) + 4)}" text-anchor="end">${String(Number(v.toFixed(3)))}</text>`,
    ),
    ...timeTicks.map(
      (t) =>
        `<line x1="${fmt(x(t))}" y1="${bottom}" x2="${fmt(x(t))}" y2="${bottom + 4}" stroke="#333"/>` +
        `<text x="${fmt(x(t))}" y="${bottom + 17}" text-anchor="middle">${t}</text>`,
    ),
    `<polyline points="${margin.left},${margin.top} ${margin.left},${bottom} ${margin.left + plotWidth},${bottom}" fill="none" stroke="#333"/>`,
    `<text transform="translate(16 ${margin.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">θ (rad)</text>`,
    `<text x="${margin.left + plotWidth / 2}" y="${height - 10}" text-anchor="middle">t (s)</text>`,
    curve(plot.truth, colors.truth),
    curve(plot.fitted, colors.fitted),
    ...dots,
    legend(0, "observations", colors.observed, true),
    legend(1, "true parameters", colors.truth, false),
    legend(2, "fitted parameters", colors.fitted, false),
    `</svg>`,
    "",
  ].join("\n");
}

function legend(row: number, label: string, color: string, dot: boolean): string {
  const lx = margin.left + plotWidth - 140;
  const ly = margin.top + 14 + 16 * row;
  const mark = dot
    ? `<circle cx="${lx + 9}" cy="${ly - 4}" r="2.5" fill="${color}"/>`
    : `<line x1="${lx}" y1="${ly - 4}" x2="${lx + 18}" y2="${ly - 4}" stroke="${color}" stroke-width="2"/>`;
  return `${mark}<text x="${lx + 24}" y="${ly}">${label}</text>`;
}

function fmt(value: number): string {
  return value.toFixed(1);
}
