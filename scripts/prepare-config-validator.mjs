#!/usr/bin/env node
// Writes dist/config-validator.cjs: the configuration schema's validator, compiled by Ajv at build
// time (Ajv's standalone code) with the options src/config/config.ts uses. Compiling the schema
// when a configuration is read cost ~100 ms of every scan that has one (loading Ajv, compiling its
// meta-schema, then the schema). The file records the sha256 of the schema it was made from;
// config.ts uses it only while schema/tollgate.schema.json still hashes the same. Run by
// `npm run build` after tsc.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';

const schemaText = readFileSync(new URL('../schema/tollgate.schema.json', import.meta.url), 'utf8');
// The options of config.ts's runtime compile, plus the source the standalone code needs.
const { CONFIG_SCHEMA_OPTIONS } = await import('../dist/config/config.js');
const ajv = new Ajv({ ...CONFIG_SCHEMA_OPTIONS, code: { source: true } });
const validate = ajv.compile(JSON.parse(schemaText));
const hash = createHash('sha256').update(schemaText).digest('hex');
const code = `${standaloneCode.default(ajv, validate)}\nmodule.exports.schemaSha256 = ${JSON.stringify(hash)};\n`;
const target = new URL('../dist/config-validator.cjs', import.meta.url);
const temporary = new URL(`../dist/config-validator.cjs.${process.pid}.tmp`, import.meta.url);
writeFileSync(temporary, code);
renameSync(temporary, target);
