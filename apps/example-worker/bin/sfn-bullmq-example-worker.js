#!/usr/bin/env node
// The example worker service as a command (`npx @sfn-bullmq/example-worker`); config from the environment.
import '../dist/main.js';
