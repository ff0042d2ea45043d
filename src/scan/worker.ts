/** A scan worker thread: one analyser, many files. */
import { parentPort } from 'node:worker_threads';
import { createAnalyzer } from './engine/analyzer.js';

export interface WorkerTask {
  id: number;
  displayPath: string;
  bytes: Uint8Array;
}

const analyzer = await createAnalyzer();
parentPort!.on('message', (task: WorkerTask) => {
  const result = analyzer.analyze(task.displayPath, task.bytes);
  parentPort!.postMessage({ id: task.id, ...result });
});
parentPort!.postMessage({ ready: true });
