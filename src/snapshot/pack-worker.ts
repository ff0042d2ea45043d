/** A snapshot pack thread: started early, it waits for its share of the new files and packs it. */
import { parentPort } from 'node:worker_threads';
import { packFiles, type PackWorkerInput } from './pack-files.js';

parentPort!.once('message', (input: PackWorkerInput) => parentPort!.postMessage(packFiles(input)));
