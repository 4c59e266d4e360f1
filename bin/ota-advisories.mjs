#!/usr/bin/env node
import { runBuilt } from './run-built.mjs';

await runBuilt('backend/vulnerabilities/cli.js');
