//! The layering ARCHITECTURE.md describes, checked on the source: wire types import no
//! service, the storage traits and the chain's pure steps import no store or service, and no
//! file imports a file that imports it back.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Every module of the crate (`api::auth`, `store::memory`, ...) and the modules its
/// non-test, non-comment code names through `crate::`.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let module_of = |path: &Path| {
        let rel = path.strip_prefix(&root).unwrap().with_extension("");
        let parts: Vec<String> = rel
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .filter(|p| p != "mod" && p != "lib")
            .collect();
        parts.join("::")
    };
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(f)).collect();
    let resolve = |path: &str| -> Option<String> {
        let parts: Vec<&str> = path.split("::").collect();
        (1..=parts.len())
            .rev()
            .map(|k| parts[..k].join("::"))
            .find(|m| modules.contains(m))
    };
    let mut graph = BTreeMap::new();
    for file in &files {
        let module = module_of(file);
        if module.ends_with("tests") {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        // Test modules come last in a file; what they import is not the module's.
        let code = text.split("#[cfg(test)]\nmod ").next().unwrap_or("");
        let mut deps = BTreeSet::new();
        for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
            for (i, _) in line.match_indices("crate::") {
                let rest = &line[i + "crate::".len()..];
                let path: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
                    .collect();
                let path = path.trim_end_matches(':');
                if path == "Error" {
                    deps.insert("error".to_owned());
                } else if let Some(m) = resolve(path) {
                    deps.insert(m);
                }
                // `crate::x::{a, b}`: each of a and b may be a module of its own.
                if let Some(group) = rest.get(path.len()..).and_then(|r| r.strip_prefix("::{")) {
                    for item in group.split('}').next().unwrap_or("").split(',') {
                        let item = item.trim().split(' ').next().unwrap_or("");
                        if let Some(m) = resolve(&format!("{path}::{item}")) {
                            deps.insert(m);
                        }
                    }
                }
            }
        }
        // A module may name its parent and its children: re-exports, not layering.
        deps.retain(|d| {
            d != &module
                && !d.is_empty()
                && !module.starts_with(&format!("{d}::"))
                && !d.starts_with(&format!("{module}::"))
        });
        graph.insert(module, deps);
    }
    graph
}

fn area(module: &str) -> &str {
    module.split("::").next().unwrap_or(module)
}

#[test]
fn test_layering_wire_types_import_only_the_model() {
    for (module, deps) in imports().iter().filter(|(m, _)| area(m) == "api") {
        for dep in deps {
            assert!(
                matches!(area(dep), "api" | "model" | "time" | "error"),
                "{module} imports {dep}: wire types import only model, time and error"
            );
        }
    }
}

#[test]
fn test_layering_store_traits_and_chain_import_no_service() {
    let graph = imports();
    for module in ["store", "records::chain", "model"] {
        for dep in &graph[module] {
            assert!(
                matches!(area(dep), "model" | "error" | "rand" | "secrets" | "time"),
                "{module} imports {dep}"
            );
        }
    }
}

#[test]
fn test_layering_no_file_imports_itself_back() {
    let graph = imports();
    assert!(graph.len() > 40, "the walk found the crate's files");
    // Depth-first search for a back edge.
    fn visit<'a>(
        m: &'a str,
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<&'a str, bool>,
        path: &mut Vec<&'a str>,
    ) {
        match state.get(m) {
            Some(true) => return,
            Some(false) => panic!("import cycle: {} -> {m}", path.join(" -> ")),
            None => {}
        }
        state.insert(m, false);
        path.push(m);
        for d in graph.get(m).into_iter().flatten() {
            visit(d, graph, state, path);
        }
        path.pop();
        state.insert(m, true);
    }
    let mut state = BTreeMap::new();
    for m in graph.keys() {
        visit(m, &graph, &mut state, &mut Vec::new());
    }
}

/// The path and the shipped code of every `.rs` file of core and the worker: no test file
/// (`*tests*`), nothing after a file's `#[cfg(test)] mod`, no comment line.
fn shipped_code() -> Vec<(String, String)> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = vec![manifest.join("src"), manifest.join("../worker/src")];
    let mut files = Vec::new();
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                dirs.push(path);
            } else if name.ends_with(".rs") && !name.contains("tests") {
                let text = std::fs::read_to_string(&path).unwrap();
                let code: String = (text.split("#[cfg(test)]\nmod ").next().unwrap_or(""))
                    .lines()
                    .filter(|l| !l.trim_start().starts_with("//"))
                    .collect();
                files.push((path.display().to_string(), code));
            }
        }
    }
    files
}

/// The calls among `calls` in shipped code, but in the files ending with one of `allowed_in`.
fn calls_outside(calls: &[&str], allowed_in: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for (path, code) in shipped_code() {
        for call in calls {
            if code.contains(call) && !allowed_in.iter().any(|a| path.ends_with(a)) {
                found.push(format!("{path}: {call}"));
            }
        }
    }
    found
}

/// JSON is read through `api::from_json` alone (structs only from objects, one reader: what
/// keeps each type's decoder once in the worker's `.wasm`), in core and in the worker.
#[test]
fn test_layering_json_is_read_only_through_from_json() {
    let found = calls_outside(&["serde_json::from_str", "serde_json::from_slice"], &[]);
    assert!(found.is_empty(), "use api::from_json: {found:?}");
}

/// Case is changed outside ASCII by `validate::case` alone, which asks the runtime in wasm:
/// a call to std's would link its case tables into the worker's `.wasm`.
#[test]
fn test_layering_lowercase_goes_through_validate_case() {
    let found = calls_outside(
        &[".to_lowercase()", ".to_uppercase()"],
        &["validate/case.rs"],
    );
    assert!(found.is_empty(), "use validate::case: {found:?}");
}
