// The loss and accuracy curves of a training run as a small SVG line chart: training and held-out
// loss above, held-out accuracy below, both against the epoch. Only step-indexed data goes in, so
// a fixed seed gives the same bytes.
import type { CurvePoint } from "./train.ts";

export interface CurveData {
  readonly title: string;
  readonly curve: readonly CurvePoint[];
  readonly stepsPerEpoch: number;
}

interface Series {
  readonly label: string;
  readonly color: string;
  readonly points: readonly (readonly [number, number])[];
  readonly dots?: boolean;
}

interface Panel {
  readonly top: number;
  readonly height: number;
  readonly yLabel: string;
  readonly yRange: readonly [number, number];
  readonly yFormat: (value: number) => string;
  readonly series: readonly Series[];
  /** A dashed horizontal line marking a target value. */
  readonly target?: { readonly value: number; readonly label: string };
}

const width = 640;
const left = 64;
const right = 24;
const plotWidth = width - left - right;
const colors = { train: "#4c78a8", heldOut: "#e45756", accuracy: "#54a24b" };

export function curveSvg(data: CurveData): string {
  const epochOf = (point: CurvePoint) => point.step / data.stepsPerEpoch;
  const series = (pick: (point: CurvePoint) => number | undefined) =>
    data.curve.flatMap((point) => {
      const value = pick(point);
      return value === undefined ? [] : [[epochOf(point), value] as const];
    });
  const trainLoss = series((point) => point.trainLoss);
  const heldOutLoss = series((point) => point.heldOutLoss);
  const accuracy = series((point) => point.heldOutAccuracy).map(([x, y]) => [x, 100 * y] as const);
  const xMax = niceCeil(Math.max(1e-9, ...data.curve.map(epochOf)));
  const lossMax = niceCeil(Math.max(1e-9, ...[...trainLoss, ...heldOutLoss].map(([, y]) => y)));
  const accuracyMin = Math.min(
    90,
    Math.floor(Math.min(100, ...accuracy.map(([, y]) => y)) / 5) * 5,
  );
  const panels: Panel[] = [
    {
      top: 48,
      height: 150,
      yLabel: "loss",
      yRange: [0, lossMax],
      yFormat: (v) => trimNumber(v, 2),
      series: [
        { label: "training loss", color: colors.train, points: trainLoss },
        { label: "held-out loss", color: colors.heldOut, points: heldOutLoss, dots: true },
      ],
    },
    {
      top: 250,
      height: 150,
      yLabel: "accuracy %",
      yRange: [accuracyMin, 100],
      yFormat: (v) => trimNumber(v, 1),
      series: [
        { label: "held-out accuracy", color: colors.accuracy, points: accuracy, dots: true },
      ],
      target: { value: 95, label: "95%" },
    },
  ];
  const height = 450;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="14">${escapeText(data.title)}</text>`,
    ...panels.flatMap((panel) => panelElements(panel, xMax)),
    `<text x="${left + plotWidth / 2}" y="${height - 12}" text-anchor="middle">epoch</text>`,
    `</svg>`,
    "",
  ].join("\n");
}

function panelElements(panel: Panel, xMax: number): string[] {
  const [y0, y1] = panel.yRange;
  const x = (value: number) => left + (value / xMax) * plotWidth;
  const y = (value: number) => panel.top + panel.height - ((value - y0) / (y1 - y0)) * panel.height;
  const bottom = panel.top + panel.height;
  const xTicks = ticks(0, xMax);
  const yTicks = ticks(y0, y1);
  return [
    ...yTicks.map(
      (v) =>
        `<line x1="${left}" y1="${fmt(y(v))}" x2="${left + plotWidth}" y2="${fmt(y(v))}" stroke="#e5e5e5"/>` +
        `<text x="${left - 6}" y="${fmt(y(v) + 4)}" text-anchor="end">${panel.yFormat(v)}</text>`,
    ),
    ...xTicks.map(
      (v) =>
        `<line x1="${fmt(x(v))}" y1="${bottom}" x2="${fmt(x(v))}" y2="${bottom + 4}" stroke="#333"/>` +
        `<text x="${fmt(x(v))}" y="${bottom + 17}" text-anchor="middle">${trimNumber(v, 2)}</text>`,
    ),
    `<polyline points="${left},${panel.top} ${left},${bottom} ${left + plotWidth},${bottom}" fill="none" stroke="#333"/>`,
    `<text transform="translate(16 ${panel.top + panel.height / 2}) rotate(-90)" text-anchor="middle">${panel.yLabel}</text>`,
    ...targetElements(panel, y),
    ...panel.series.flatMap((series) => seriesElements(series, x, y)),
    ...panel.series.map((series, i) =>
      legendEntry(series, left + plotWidth - 150, panel.top + 14 + 16 * i),
    ),
  ];
}

function targetElements(panel: Panel, y: (value: number) => number): string[] {
  const { target } = panel;
  if (target === undefined || target.value < panel.yRange[0] || target.value > panel.yRange[1]) {
    return [];
  }
  const at = fmt(y(target.value));
  return [
    `<line x1="${left}" y1="${at}" x2="${left + plotWidth}" y2="${at}" stroke="#888" stroke-dasharray="4 3"/>` +
      `<text x="${left + 4}" y="${fmt(y(target.value) - 4)}" fill="#666">${escapeText(target.label)}</text>`,
  ];
}

function seriesElements(
  series: Series,
  x: (value: number) => number,
  y: (value: number) => number,
): string[] {
  if (series.points.length === 0) return [];
  const points = series.points.map(([px, py]) => `${fmt(x(px))},${fmt(y(py))}`).join(" ");
  const dots = series.dots
    ? series.points.map(
        ([px, py]) =>
          `<circle cx="${fmt(x(px))}" cy="${fmt(y(py))}" r="2.5" fill="${series.color}"/>`,
      )
    : [];
  return [
    `<polyline points="${points}" fill="none" stroke="${series.color}" stroke-width="1.5"/>`,
    ...dots,
  ];
}

function legendEntry(series: Series, x: number, y: number): string {
  return (
    `<line x1="${x}" y1="${y - 4}" x2="${x + 18}" y2="${y - 4}" stroke="${series.color}" stroke-width="2"/>` +
    `<text x="${x + 24}" y="${y}">${escapeText(series.label)}</text>`
  );
}

/** About five round tick values from lo to hi. */
function ticks(lo: number, hi: number): number[] {
  const step = niceStep((hi - lo) / 5);
  const first = Math.ceil(lo / step - 1e-9) * step;
  const values: number[] = [];
  for (let v = first; v <= hi + step * 1e-9; v += step) values.push(Number(v.toPrecision(12)));
  return values;
}

/** 1, 2 or 5 times a power of ten, at least `raw`. */
function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const multiple = [1, 2, 5, 10].find((m) => m * power >= raw * (1 - 1e-9)) ?? 10;
  return multiple * power;
}

/** A round number at least `value`, on the tick grid. */
function niceCeil(value: number): number {
  const step = niceStep(value / 5);
  return Math.ceil(value / step - 1e-9) * step;
}

function trimNumber(value: number, digits: number): string {
  return String(Number(value.toFixed(digits)));
}

function fmt(value: number): string {
  return value.toFixed(1);
}

function escapeText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
