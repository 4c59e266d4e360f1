#!/usr/bin/env node
import { runBuilt } from './run-built.mjs';

await runBuilt('backend/fleet-sim/cli.js');
