"""Pipeline steps, one module each: dedupe, parse, map, manual mapping, type-check, resolve, create."""
