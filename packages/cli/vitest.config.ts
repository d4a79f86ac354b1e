import { defineProject, mergeConfig } from "vitest/config"
import shared from "../../vitest.shared.js"

// maxConcurrency: the e2e files run their independent tests concurrently (describe.concurrent), each
// spawning the built CLI; three at a time per file keep both cores of a CI machine busy without
// piling up processes.
export default mergeConfig(shared, defineProject({ test: { name: "cli", maxConcurrency: 3 } }))
