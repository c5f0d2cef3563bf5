#!/usr/bin/env node
/**
 * CDK CLI entry (`cdk.json`: `npx tsx bin/app.ts`). Everything lives in `createApp` so that tests
 * and the local runtime build exactly the same app.
 */
import { createApp } from '../lib/app';

createApp().app.synth();
