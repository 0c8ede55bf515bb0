// Neural-network activations and losses, composed from primitive ops so every derivative order comes free.
import type { Node } from "../ir/node.ts";
import { formatShape, sameShape } from "../ir/shape.ts";
import type { OpBuilder } from "../ops/builder.ts";

/** exp(x − logsumexp(x)) along `axis`. */
export function softmax(g: OpBuilder, x: Node, axis: number): Node {
  return g.exp(logSoftmax(g, x, axis));
}

/** x − logsumexp(x) along `axis`: finite for any finite logits. */
export function logSoftmax(g: OpBuilder, x: Node, axis: number): Node {
  return g.sub(x, g.logsumexp(x, axis, true));
}

/**
 * Per row, l = logsumexp(h) − Σ_j labels_j·h_j over the last (class) axis: −h_y + log Σ_j exp h_j
 * for a class y, −Σ_j p_j·log softmax(h)_j for probability rows p that sum to 1. Its gradient in
 * h is softmax(h) − labels, finite for any finite logits.
 */
export function softmaxCrossEntropy(g: OpBuilder, logits: Node, labels: Node): Node {
  const targets = labelRows(g, logits, labels);
  return g.sub(g.logsumexp(logits, -1), g.sum(g.mul(targets, logits), -1));
}

/** The labels as rows like the logits: integer classes become one-hot rows; float rows pass. */
function labelRows(g: OpBuilder, logits: Node, labels: Node): Node {
  const op = "softmaxCrossEntropy";
  const float = g.graph.dtype;
  const shapes = `labels ${formatShape(labels.shape)}, logits ${formatShape(logits.shape)}`;
  if (logits.dtype !== float) g.fail(op, `logits must be ${float}, got ${logits.dtype}`);
  if (logits.shape.length === 0)
    g.fail(op, `logits need a class axis (rank 1 or more), got a scalar`);
  const rows = logits.shape.slice(0, -1);
  const classes = logits.shape[logits.shape.length - 1];
  if (labels.dtype === "i32") {
    if (!sameShape(labels.shape, rows)) {
      g.fail(
        op,
        `integer labels must have the logits' row shape ${formatShape(rows)} (one class per row): ${shapes}`,
      );
    }
    return g.cast(g.oneHot(labels, classes), float);
  }
  if (labels.dtype !== float) {
    g.fail(op, `labels must be i32 classes or ${float} one-hot rows, got ${labels.dtype}`);
  }
  if (!sameShape(labels.shape, logits.shape)) {
    g.fail(op, `one-hot or probability labels must have the logits' shape: ${shapes}`);
  }
  return labels;
}

/** mean((prediction − target)²). */
export function meanSquaredError(g: OpBuilder, prediction: Node, target: Node): Node {
  return g.mean(g.square(g.sub(prediction, target)));
}
