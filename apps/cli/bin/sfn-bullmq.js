#!/usr/bin/env node
// The bin shim points at the built CLI, so the link exists before the first build.
import '../dist/cli.js';
