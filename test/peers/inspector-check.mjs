// Checks what scripts/inspector.sh captured from MCP Inspector's CLI: for each
// protocol era, that tools/list listed exactly the 20 tools, and that every
// tools/call succeeded (exit code 0, no isError, text content) with a
// structuredContent valid against that tool's outputSchema (JSON Schema
// 2020-12, ajv). Prints one line per check and "inspector: N passed, M failed";
// exits 1 when anything failed.
//
//   node test/peers/inspector-check.mjs DIR ERA...
//
// DIR/ERA/ holds tools-list.json and tools-list.rc, and for each tool
// NAME.json (the CLI's stdout, --format json), NAME.err (its stderr), NAME.rc
// (its exit code), NAME.args.json (the arguments sent) and NAME.ms (how long
// the CLI took).

import fs from "node:fs";
import path from "node:path";
import { EXPECTED_TOOLS, compileOutputSchemas, schemaErrors } from "./schema-validator.mjs";

const [dir, ...eras] = process.argv.slice(2);
if (!dir || eras.length === 0) {
	console.error("usage: node inspector-check.mjs DIR ERA...");
	process.exit(2);
}

// The Inspector CLI's documented exit codes.
const EXIT_CODES = { 0: "ok", 3: "authentication needed", 4: "server unreachable", 5: "tool error", 124: "timed out" };

const read = (file) => (fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined);
const oneLine = (s, n = 400) => String(s ?? "").replace(/\s+/g, " ").trim().slice(0, n);

let passed = 0;
let failed = 0;
function report(era, name, problems, ms) {
	const time = ms ? ` (${ms} ms)` : "";
	if (problems.length === 0) {
		passed++;
		console.log(`  ${era.padEnd(7)} ${name.padEnd(24)} ok${time}`);
	} else {
		failed++;
		console.log(`  ${era.padEnd(7)} ${name.padEnd(24)} FAIL${time}`);
		for (const p of problems) console.log(`      ${p.replace(/\n/g, "\n      ")}`);
	}
}

// output(base) parses what the CLI printed for one call; it returns
// { rc, json, problems }.
function output(base) {
	const problems = [];
	const rc = Number(read(`${base}.rc`)?.trim() ?? NaN);
	const stdout = read(`${base}.json`);
	const stderr = read(`${base}.err`);
	if (rc !== 0) {
		problems.push(`the Inspector CLI exited ${Number.isNaN(rc) ? "(no exit code recorded)" : rc} (${EXIT_CODES[rc] ?? "error"}); stderr: ${oneLine(stderr)}`);
	}
	let json;
	if (stdout === undefined || stdout.trim() === "") {
		problems.push("no output on stdout");
	} else {
		try {
			json = JSON.parse(stdout);
		} catch (err) {
			problems.push(`stdout is not JSON (${err.message}): ${oneLine(stdout)}`);
		}
	}
	return { rc, json, problems };
}

for (const era of eras) {
	const eraDir = path.join(dir, era);
	console.log(`${era} era:`);

	// tools/list
	const list = output(path.join(eraDir, "tools-list"));
	let validators = new Map();
	const tools = list.json?.result?.tools;
	if (list.json && !Array.isArray(tools)) {
		list.problems.push(`no result.tools in ${oneLine(JSON.stringify(list.json))}`);
	}
	if (Array.isArray(tools)) {
		const names = tools.map((t) => t.name).sort();
		const missing = EXPECTED_TOOLS.filter((n) => !names.includes(n));
		const extra = names.filter((n) => !EXPECTED_TOOLS.includes(n));
		if (missing.length || extra.length || names.length !== EXPECTED_TOOLS.length) {
			list.problems.push(`listed ${names.length} tools; missing: [${missing.join(", ")}]; unexpected: [${extra.join(", ")}]`);
		}
		try {
			validators = compileOutputSchemas(tools);
		} catch (err) {
			list.problems.push(err.message);
		}
	}
	report(era, "tools/list", list.problems, read(path.join(eraDir, "tools-list.ms"))?.trim());

	// tools/call, one per tool
	for (const name of EXPECTED_TOOLS) {
		const base = path.join(eraDir, name);
		const ms = read(`${base}.ms`)?.trim();
		if (read(`${base}.rc`) === undefined && read(`${base}.json`) === undefined) {
			report(era, name, ["not called"], ms);
			continue;
		}
		const { json, problems } = output(base);
		const result = json?.result;
		if (json && (result === null || typeof result !== "object")) {
			problems.push(`no result in ${oneLine(JSON.stringify(json))}`);
		}
		const isError = result?.isError !== undefined && result?.isError !== false;
		if (isError) {
			const text = (result.content ?? []).filter((c) => c.type === "text").map((c) => c.text).join(" ");
			problems.push(`isError=${result.isError}: ${oneLine(text)}`);
		}
		if (result && typeof result === "object" && !isError) {
			const texts = (result.content ?? []).filter((c) => c.type === "text" && typeof c.text === "string" && c.text.trim() !== "");
			if (texts.length === 0) problems.push(`no text content: ${oneLine(JSON.stringify(result.content))}`);
			const sc = result.structuredContent;
			if (sc === null || typeof sc !== "object" || Array.isArray(sc)) {
				problems.push(`structuredContent is not an object: ${oneLine(JSON.stringify(sc) ?? "absent")}`);
			} else if (!validators.has(name)) {
				problems.push("no outputSchema to check it against (see tools/list)");
			} else {
				const errors = schemaErrors(validators.get(name), sc);
				if (errors) problems.push(`structuredContent does not match the outputSchema:\n${errors}`);
			}
		}
		if (problems.length) {
			problems.push(`arguments sent: ${oneLine(read(`${base}.args.json`))}`);
		}
		report(era, name, problems, ms);
	}
}

console.log(`inspector: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
