// JSON Schema 2020-12 validation of tool results against the outputSchema a
// server lists, shared by client.test.mjs and inspector-check.mjs.
//
// It uses the ajv and ajv-formats that @modelcontextprotocol/sdk depends on
// (ajv 8: ajv/dist/2020 is its draft 2020-12 class). Strict mode is on, so a
// schema that is not valid 2020-12, or uses a keyword ajv does not know, fails
// to compile; union types ("type": ["null", "array"]) are allowed, since
// 2020-12 allows them.

import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

// The 20 tools of README.md, sorted.
export const EXPECTED_TOOLS = [
	"create_support_ticket",
	"get_all_customers",
	"get_billing_summary",
	"get_customer_detail",
	"get_customer_orders",
	"get_data_usage",
	"get_eligible_promotions",
	"get_invoice_payments",
	"get_product_detail",
	"get_products",
	"get_promotions",
	"get_security_logs",
	"get_subscription_detail",
	"get_support_tickets",
	"pay_invoice",
	"rerate_usage",
	"search_knowledge_base",
	"trouble_shoot_device",
	"unlock_account",
	"update_subscription",
];

// compileOutputSchemas(tools) returns a Map from tool name to an ajv validate
// function for its outputSchema. It throws, naming the tool, when a tool has
// no outputSchema or its schema does not compile.
export function compileOutputSchemas(tools) {
	const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
	addFormats(ajv);
	const validators = new Map();
	for (const tool of tools) {
		if (!tool.outputSchema || typeof tool.outputSchema !== "object") {
			throw new Error(`tool ${tool.name} has no outputSchema`);
		}
		try {
			validators.set(tool.name, ajv.compile(tool.outputSchema));
		} catch (err) {
			throw new Error(`tool ${tool.name}: its outputSchema does not compile as JSON Schema 2020-12: ${err.message}`);
		}
	}
	return validators;
}

// schemaErrors(validate, value) returns "" when value is valid, else the
// errors, one per line, each with the instance path.
export function schemaErrors(validate, value) {
	if (validate(value)) return "";
	return validate.errors
		.map((e) => `${e.instancePath || "/"} ${e.message}${e.params ? " " + JSON.stringify(e.params) : ""}`)
		.join("\n");
}
