// A Teachable-Machine-shaped model made and saved by TensorFlow.js itself (tfjs-layers 1.3.1, as
// Teachable Machine exports): a MobileNet-like feature model (zero padding, depthwise and pointwise
// convolutions, a residual add) inside `sequential_1` (with global pooling),
// a Dense head `sequential_2`, both inside `sequential_3`; a short fit moves weights and BatchNorm
// statistics. Writes <folder>/model/{model.json, weights.bin} and <folder>/reference.json (x0, y0).
// Run by generate.py: NODE_PATH=.../node_modules node make_teachable.js FOLDER
const fs = require("fs");
const path = require("path");
const tf = require("@tensorflow/tfjs-core");
const tfl = require("@tensorflow/tfjs-layers");

let seed = 7;
function random() {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648 - 0.5;
}
function randomTensor(shape) {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Array.from({ length: size }, random), shape);
}

function featureModel() {
  const input = tfl.input({ shape: [16, 16, 3] });
  let x = tfl.layers.zeroPadding2d({ padding: [[0, 1], [0, 1]], name: "conv1_pad" }).apply(input);
  x = tfl.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, useBias: false, name: "conv1" }).apply(x);
  x = tfl.layers.batchNormalization({ name: "conv1_bn" }).apply(x);
  const block = tfl.layers.reLU({ maxValue: 6, name: "conv1_relu" }).apply(x);
  x = tfl.layers.depthwiseConv2d({ kernelSize: 3, padding: "same", useBias: false, name: "conv_dw_13" }).apply(block);
  x = tfl.layers.batchNormalization({ name: "conv_dw_13_bn" }).apply(x);
  x = tfl.layers.reLU({ maxValue: 6, name: "conv_dw_13_relu" }).apply(x);
  x = tfl.layers.conv2d({ filters: 4, kernelSize: 1, useBias: false, name: "conv_pw_13" }).apply(x);
  x = tfl.layers.batchNormalization({ name: "conv_pw_13_bn" }).apply(x);
  x = tfl.layers.add({ name: "block_13_add" }).apply([block, x]);
  x = tfl.layers.reLU({ maxValue: 6, name: "conv_pw_13_relu" }).apply(x);
  return tfl.model({ inputs: input, outputs: x, name: "model1" });
}

async function main(folder) {
  const truncated = tfl.sequential({ layers: [featureModel(), tfl.layers.globalAveragePooling2d({})] });
  const head = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [4], units: 10, activation: "relu" }),
      tfl.layers.dense({ units: 3, activation: "softmax", useBias: false }),
    ],
  });
  const model = tfl.sequential();
  model.add(truncated);
  model.add(head);
  model.compile({ optimizer: "adam", loss: "categoricalCrossentropy" });
  const xs = randomTensor([16, 16, 16, 3]);
  const ys = tf.oneHot(tf.tensor1d(Array.from({ length: 16 }, (_, i) => i % 3), "int32"), 3);
  await model.fit(xs, ys, { epochs: 2, batchSize: 8, verbose: 0 });

  const out = path.join(folder, "model");
  fs.mkdirSync(out, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const json = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: ["weights.bin"], weights: artifacts.weightSpecs }],
      };
      fs.writeFileSync(path.join(out, "model.json"), JSON.stringify(json));
      fs.writeFileSync(path.join(out, "weights.bin"), Buffer.from(artifacts.weightData));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    })
  );
  const x0 = randomTensor([4, 16, 16, 3]);
  const y0 = model.predict(x0);
  const reference = { x0: await x0.array(), y0: await y0.array() };
  fs.writeFileSync(path.join(folder, "reference.json"), JSON.stringify(reference));
}

main(process.argv[2]).catch((error) => {
  console.error(error);
  process.exit(1);
});
