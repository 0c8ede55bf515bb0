// The loss curve on a canvas: the steps so far on a fixed x axis of `steps`, y from 0 to the
// first loss (rounded up), redrawn whole after every step.
export function drawCurve(canvas: HTMLCanvasElement, losses: readonly number[], steps: number) {
  const context = canvas.getContext("2d");
  if (context === null) return;
  const { width, height } = canvas;
  const margin = { left: 48, right: 12, top: 12, bottom: 28 };
  const top = Math.ceil(Math.max(...losses, 0.5));
  const x = (step: number) =>
    margin.left + (step / Math.max(1, steps - 1)) * (width - margin.left - margin.right);
  const y = (loss: number) =>
    height - margin.bottom - (loss / top) * (height - margin.top - margin.bottom);
  context.clearRect(0, 0, width, height);
  context.strokeStyle = "#999";
  context.fillStyle = "#444";
  context.font = "12px sans-serif";
  context.beginPath();
  context.moveTo(margin.left, margin.top);
  context.lineTo(margin.left, height - margin.bottom);
  context.lineTo(width - margin.right, height - margin.bottom);
  context.stroke();
  for (let tick = 0; tick <= top; tick++) context.fillText(tick.toFixed(1), 8, y(tick) + 4);
  context.fillText("step", width - margin.right - 28, height - 8);
  context.strokeStyle = "#4c78a8";
  context.lineWidth = 2;
  context.beginPath();
  losses.forEach((loss, step) =>
    step === 0 ? context.moveTo(x(step), y(loss)) : context.lineTo(x(step), y(loss)),
  );
  context.stroke();
}
