// A functional model of the layers people train in the browser, made and saved by TensorFlow.js itself
// (tfjs-layers 1.3.1): two inputs; Embedding, LSTM, Bidirectional GRU and Conv1D branches;
// Concatenate, Dropout, Dense. A short fit moves every weight. Writes <folder>/model/{model.json,
// weights.bin} and <folder>/reference.json (x0, x1, y0).
// Run by generate.py: NODE_PATH=.../node_modules node make_layers.js FOLDER
const fs = require("fs");
const path = require("path");
const tf = require("@tensorflow/tfjs-core");
const tfl = require("@tensorflow/tfjs-layers");

let seed = 11;
function random() {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}
function tensor(shape, draw) {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Array.from({ length: size }, draw), shape);
}

function build() {
  const tokens = tfl.input({ shape: [6], name: "tokens" });
  const signal = tfl.input({ shape: [8, 2], name: "signal" });
  const embedded = tfl.layers.embedding({ inputDim: 20, outputDim: 4 }).apply(tokens);
  const words = tfl.layers.lstm({ units: 5, returnSequences: true, recurrentActivation: "sigmoid" }).apply(embedded);
  const summary = tfl.layers.bidirectional({ layer: tfl.layers.gru({ units: 3, recurrentActivation: "sigmoid" }), mergeMode: "concat" }).apply(words);
  let wave = tfl.layers.conv1d({ filters: 4, kernelSize: 3, activation: "relu" }).apply(signal);
  wave = tfl.layers.maxPooling1d({ poolSize: 2 }).apply(wave);
  wave = tfl.layers.flatten().apply(wave);
  let x = tfl.layers.concatenate().apply([summary, wave]);
  x = tfl.layers.dropout({ rate: 0.2 }).apply(x);
  const out = tfl.layers.dense({ units: 2, activation: "softmax" }).apply(x);
  return tfl.model({ inputs: [tokens, signal], outputs: out });
}

async function main(folder) {
  const model = build();
  model.compile({ optimizer: "adam", loss: "categoricalCrossentropy" });
  const xs = [tensor([16, 6], () => Math.floor(random() * 20)), tensor([16, 8, 2], () => random() - 0.5)];
  const ys = tf.oneHot(tf.tensor1d(Array.from({ length: 16 }, (_, i) => i % 2), "int32"), 2);
  await model.fit(xs, ys, { epochs: 3, batchSize: 8, verbose: 0 });

  const out = path.join(folder, "model");
  fs.mkdirSync(out, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const json = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: ["./model.weights.bin"], weights: artifacts.weightSpecs }],
      };
      fs.writeFileSync(path.join(out, "model.json"), JSON.stringify(json));
      fs.writeFileSync(path.join(out, "model.weights.bin"), Buffer.from(artifacts.weightData));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    })
  );
  const x0 = tensor([4, 6], () => Math.floor(random() * 20));
  const x1 = tensor([4, 8, 2], () => random() - 0.5);
  const y0 = model.predict([x0, x1]);
  const reference = { x0: await x0.array(), x1: await x1.array(), y0: await y0.array() };
  fs.writeFileSync(path.join(folder, "reference.json"), JSON.stringify(reference));
}

main(process.argv[2]).catch((error) => {
  console.error(error);
  process.exit(1);
});
