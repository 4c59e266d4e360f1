// Preload (`node --import this-file ...`): appends the URL of every module the program resolves, one a
// line, to the file named by RECORD_MODULES_FILE, so a test can tell which packages a command loaded.
import { register } from 'node:module';

if (process.env.RECORD_MODULES_FILE)
  register('./record-modules-hooks.mjs', import.meta.url, { data: { file: process.env.RECORD_MODULES_FILE } });
