import * as tf from '../../util/tfjs.js';

/**
 * Mean's gradient without the all-ones tensor tfjs multiplies by: tfjs builds
 * dy·ones(x.shape)/n with the ones filled in JavaScript, a full-size array per call (a Group-Net
 * step takes a mean over every binary filter's |W| and over the last feature map); here dy/n is
 * tiled to x's shape. The values are tfjs' own: dy·1 is dy exactly, and each element is then divided
 * by the same n.
 */
export const meanGradientConfig: tf.GradConfig = {
  kernelName: 'Mean',
  inputsToSave: ['x'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
    const [x] = saved as [tf.Tensor];
    const axes = tf.util.parseAxisParam(attrs['axis'] as number | number[], x.shape);
    const reduced = (i: number) => axes.includes(i);
    const reduceSize = axes.reduce((n, a) => n * x.shape[a]!, 1);
    return {
      x: () =>
        tf.tile(
          tf.div(
            tf.reshape(
              dy as tf.Tensor,
              x.shape.map((d, i) => (reduced(i) ? 1 : d)),
            ),
            reduceSize,
          ),
          x.shape.map((d, i) => (reduced(i) ? d : 1)),
        ),
    };
  },
};
