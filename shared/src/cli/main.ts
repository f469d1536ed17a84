#!/usr/bin/env node
// `redproc`: what `npx redproc …` runs.
import { run } from './program.js'

process.exitCode = await run(process.argv.slice(2))
