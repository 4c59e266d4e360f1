#!/usr/bin/env node
import { runBuilt } from './run-built.mjs';

await runBuilt('ecu-sim/cli.js');
