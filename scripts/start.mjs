#!/usr/bin/env node
// `npm start`: compiles dist/ first if a source changed since the last build, then runs the server (dist/cli.js) in
// this same process, so a built tree pays one Node start-up before the first answer, not two.
import { buildIfStale, orExit } from './build.mjs';

orExit(buildIfStale);
await import('../dist/cli.js');
