#!/usr/bin/env node
import { runBuilt } from './run-built.mjs';

await runBuilt('fleet-sim/cli.js');
