#!/usr/bin/env node
import { runBuilt } from './run-built.mjs';

await runBuilt('vehicle-gateway/cli.js');
