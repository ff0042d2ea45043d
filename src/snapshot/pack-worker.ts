/**
 * The snapshot's pack thread: started as soon as a snapshot expects much new content, it packs
 * the files the main thread hands over while the tree is still being listed.
 */
import { parentPort } from 'node:worker_threads';
import { SyncPack } from './pack-files.js';

export type PackThreadMessage =
  | { init: { packTemp: string; up: Int32Array } }
  | { known: string[] }
  | { files: { absolute: string; size: number }[] }
  | { done: true };

let pack: SyncPack | undefined;

parentPort!.on('message', (message: PackThreadMessage) => {
  if ('init' in message) {
    pack = new SyncPack(message.init.packTemp, []);
    Atomics.store(message.init.up, 0, 1); // the main thread hands over files from now on
  } else if ('known' in message) pack!.learn(message.known);
  else if ('files' in message) pack!.add(message.files);
  else parentPort!.postMessage(pack!.finish());
});
