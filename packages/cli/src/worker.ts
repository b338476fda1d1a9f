/** Worker-thread entry of the batch runner: receives `{ id, task }`, replies `{ id, outcome }`. */
import { parentPort } from 'node:worker_threads';
import { runCaseSafely, type CaseTask } from './tasks.js';

parentPort?.on('message', (msg: { id: number; task: CaseTask }) => {
  void runCaseSafely(msg.task).then((outcome) => parentPort!.postMessage({ id: msg.id, outcome }));
});
