//! Arrays in the analyzer (PostgreSQL: `parse_expr.c` transformArrayExpr,
//! `parse_node.c` transformContainerSubscripts, `parse_oper.c`
//! make_scalar_array_op, the polymorphic functions of `array_userfuncs.c`).
//!
//! An array expression has the array type of its element (`_int4`, ...);
//! its value is the stored text of [`crate::array`]. The functions are
//! resolved here, not from [`crate::ops`]'s catalog of fixed signatures:
//! their types follow PostgreSQL's anyarray / anyelement rules (the
//! element type decides the array type, unknown literals take it).

use super::*;
use crate::array::{array_of, supported_element};

fn elem_const(elem: u32) -> Expr {
    Expr::Const(Value::Integer(elem as i64), INT4)
}

/// The element type of an array type the analyzer computes with.
pub(super) fn array_element(ty: u32) -> Option<u32> {
    element_of(ty).filter(|&e| supported_element(e))
}

fn call(template: &'static str, args: Vec<Expr>, ty: u32) -> Expr {
    Expr::Call { template, args, ty }
}

impl<'a> Analyzer<'a> {
    fn array_error(&self, sqlstate: &'static str, message: String, location: i32) -> Fail {
        self.error_at(PgError::error(sqlstate, message), location)
    }

    /// ARRAY[...]; `target` is the array type a cast around it gives
    /// (`ARRAY[]::int[]`).
    pub(super) fn array_expr(
        &mut self,
        a: &pb::AArrayExpr,
        target: Option<u32>,
        typmod: i32,
    ) -> R<Expr> {
        let target_elem = target.and_then(array_element);
        let mut items = Vec::new();
        for n in &a.elements {
            let e = match n.node.as_ref() {
                // A nested ARRAY[...] is a sub-array of the same type.
                Some(N::AArrayExpr(sub)) => self.array_expr(sub, target, typmod)?,
                _ => self.expr(n)?,
            };
            items.push(e);
        }
        if items.is_empty() {
            return match target {
                Some(t) if target_elem.is_some() => Ok(Expr::Const(Value::Text("{}".into()), t)),
                Some(_) => unsupported("array of this element type"),
                None => Err(self.error_at(
                    PgError::error(
                        code::INDETERMINATE_DATATYPE,
                        "cannot determine type of empty array",
                    )
                    .with_hint(
                        "Explicitly cast to the desired type, for example ARRAY[]::integer[].",
                    ),
                    a.location,
                )),
            };
        }
        let types: Vec<u32> = items.iter().map(Expr::ty).collect();
        // Sub-arrays (arrays, or literals taking their type): one more
        // dimension.
        let arrays = |ts: &[u32]| {
            ts.iter().any(|&t| array_element(t).is_some())
                && ts
                    .iter()
                    .all(|&t| t == UNKNOWN || array_element(t).is_some())
        };
        if arrays(&types) {
            let ty = match target {
                Some(t) => t,
                None => self.common_type(&types, "ARRAY", a.location)?,
            };
            let mut coerced = Vec::new();
            for e in items {
                coerced.push(self.coerce(e, ty, -1, CastContext::Explicit, a.location)?);
            }
            return Ok(call("pm_array_stack($*)", coerced, ty));
        }
        let elem = match target_elem {
            Some(e) => e,
            None => match self.common_type(&types, "ARRAY", a.location)? {
                UNKNOWN => TEXT,
                t => t,
            },
        };
        let ty = array_of(elem);
        if ty == 0 || !supported_element(elem) {
            return unsupported("array of this element type");
        }
        // Under a cast each element is cast explicitly (with the typmod),
        // as transformArrayExpr does.
        let (context, typmod) = match target {
            Some(_) => (CastContext::Explicit, typmod),
            None => (CastContext::Implicit, -1),
        };
        let mut args = vec![elem_const(elem)];
        for e in items {
            args.push(self.coerce(e, elem, typmod, context, a.location)?);
        }
        Ok(call("pm_array_make($*)", args, ty))
    }

    /// ARRAY(subquery): the column's values in the subquery's order.
    pub(super) fn array_sublink(&mut self, q: Select, location: i32) -> R<Expr> {
        if q.targets.len() != 1 {
            return Err(self.error_at(
                PgError::error(code::SYNTAX_ERROR, "subquery must return only one column"),
                location,
            ));
        }
        let t = q.targets[0].expr.ty();
        let t = if t == UNKNOWN { TEXT } else { t };
        let alias = self.fresh_alias();
        let column = Expr::Column {
            rel: Some(alias.clone()),
            name: q.targets[0].name.clone(),
            ty: t,
            typmod: -1,
        };
        let (agg, ty) = if array_element(t).is_some() {
            (call("pm_array_agg_arrays($1)", vec![column], t), t)
        } else if supported_element(t) && array_of(t) != 0 {
            (
                call(
                    "pm_array_agg($1, $2)",
                    vec![elem_const(t), column],
                    array_of(t),
                ),
                array_of(t),
            )
        } else {
            return unsupported("ARRAY() of this type");
        };
        // (No rows: an empty array, not NULL.)
        let agg = Expr::Coalesce(vec![agg, Expr::Const(Value::Text("{}".into()), ty)], ty);
        let outer = Select {
            targets: vec![Target {
                expr: agg,
                name: "array".into(),
                star: None,
            }],
            from: vec![FromItem::Sub {
                query: Box::new(Query::Select(Box::new(q))),
                alias,
            }],
            ..Default::default()
        };
        Ok(Expr::ScalarSub(
            Box::new(Query::Select(Box::new(outer))),
            ty,
        ))
    }

    /// a[i], a[i][j], a[lo:hi].
    pub(super) fn indirection(&mut self, ind: &pb::AIndirection) -> R<Expr> {
        let arg = ind
            .arg
            .as_deref()
            .ok_or(Fail::Unsupported("indirection".into()))?;
        let a = self.expr(arg)?;
        let Some(elem) = array_element(a.ty()) else {
            if a.ty() == UNKNOWN || element_of(a.ty()).is_some() {
                return unsupported("subscript of this type");
            }
            return Err(self.array_error(
                code::DATATYPE_MISMATCH,
                format!(
                    "cannot subscript type {} because it does not support subscripting",
                    ops::type_name(a.ty())
                ),
                node_location(arg),
            ));
        };
        let mut subs = Vec::new();
        let mut slice = false;
        for n in &ind.indirection {
            let Some(N::AIndices(ix)) = n.node.as_ref() else {
                return unsupported("field selection");
            };
            slice |= ix.is_slice;
            let mut bound = |b: &Option<Box<pb::Node>>| -> R<Option<Expr>> {
                match b.as_deref() {
                    None => Ok(None),
                    Some(b) => {
                        let e = self.expr(b)?;
                        let loc = node_location(b);
                        if e.ty() == UNKNOWN {
                            // ('x' is 22P02 from int4's input.)
                            return self
                                .coerce(e, INT4, -1, CastContext::Assignment, loc)
                                .map(Some);
                        }
                        match self.coerce(e, INT4, -1, CastContext::Assignment, loc) {
                            Ok(e) => Ok(Some(e)),
                            Err(Fail::Error(_)) => Err(self.array_error(
                                code::DATATYPE_MISMATCH,
                                "array subscript must have type integer".into(),
                                loc,
                            )),
                            Err(f) => Err(f),
                        }
                    }
                }
            };
            let lo = bound(&ix.lidx)?;
            let hi = bound(&ix.uidx)?;
            subs.push((ix.is_slice, lo, hi));
        }
        if subs.len() > 6 {
            return Err(self.array_error(
                code::PROGRAM_LIMIT_EXCEEDED,
                format!(
                    "number of array dimensions ({}) exceeds the maximum allowed (6)",
                    subs.len()
                ),
                ind.arg.as_deref().map_or(-1, node_location),
            ));
        }
        if !slice {
            let mut args = vec![a, elem_const(elem)];
            args.extend(subs.into_iter().filter_map(|(_, _, hi)| hi));
            return Ok(call("pm_array_get($*)", args, elem));
        }
        let ty = a.ty();
        let mut args = vec![a];
        let star = || Expr::Const(Value::Text("*".into()), TEXT);
        for (is_slice, lo, hi) in subs {
            if is_slice {
                args.push(lo.unwrap_or_else(star));
                args.push(hi.unwrap_or_else(star));
            } else {
                // A plain subscript among slices is 1:i.
                args.push(Expr::Const(Value::Integer(1), INT4));
                args.push(hi.unwrap_or_else(star));
            }
        }
        Ok(call("pm_array_slice($*)", args, ty))
    }

    /// The rows of `arrays` (each with its element type) as a FROM item
    /// under `alias`: `json_each` over `pm_unnest_json`.
    fn unnest_item(&self, arrays: Vec<Expr>, ordinality: bool, alias: &str) -> FromItem {
        let mut args = vec![Expr::Const(Value::Integer(ordinality as i64), INT4)];
        for a in arrays {
            let elem = array_element(a.ty()).unwrap_or(TEXT);
            args.push(a);
            args.push(elem_const(elem));
        }
        FromItem::Rows {
            json: call("pm_unnest_json($*)", args, TEXT),
            alias: alias.to_string(),
        }
    }

    /// `left op ANY (array)` / `left op ALL (array)`.
    pub(super) fn array_quantified(&mut self, a: &pb::AExpr, all: bool) -> R<Expr> {
        let name = name_parts(&a.name);
        let [op] = name.as_slice() else {
            return unsupported("qualified operator");
        };
        let l = self.expr(a.lexpr.as_deref().ok_or(Fail::Unsupported("ANY".into()))?)?;
        let rnode = a.rexpr.as_deref().ok_or(Fail::Unsupported("ANY".into()))?;
        let mut r = self.expr(rnode)?;
        if matches!(r, Expr::Unknown(..)) || matches!(r, Expr::Param(_, UNKNOWN)) {
            let elem = match l.ty() {
                UNKNOWN => TEXT,
                t => t,
            };
            let at = array_of(elem);
            if at == 0 || !supported_element(elem) {
                return unsupported("ANY over an array of this type");
            }
            r = self.coerce(r, at, -1, CastContext::Implicit, node_location(rnode))?;
        }
        let Some(elem) = array_element(r.ty()) else {
            if element_of(r.ty()).is_some() {
                return unsupported("ANY over an array of this type");
            }
            return Err(self.array_error(
                code::WRONG_OBJECT_TYPE,
                format!(
                    "op {} (array) requires array on right side",
                    if all { "ALL" } else { "ANY" }
                ),
                a.location,
            ));
        };
        let alias = self.fresh_alias();
        let column_name = lateral_column(elem, 0);
        let element = Expr::Column {
            rel: Some(alias.clone()),
            name: column_name,
            ty: elem,
            typmod: -1,
        };
        let column = Expr::Column {
            rel: Some("pm_q".into()),
            name: "v".into(),
            ty: elem,
            typmod: -1,
        };
        let cmp = self.binary_op(op, l.clone(), column, a.location)?;
        if cmp.ty() != BOOL {
            return Err(self.array_error(
                code::DATATYPE_MISMATCH,
                format!(
                    "op {} (array) requires operator to yield boolean",
                    if all { "ALL" } else { "ANY" }
                ),
                a.location,
            ));
        }
        let from = self.unnest_item(vec![r.clone()], false, &alias);
        let query = Select {
            targets: vec![Target {
                expr: element,
                name: "v".into(),
                star: None,
            }],
            from: vec![from],
            ..Default::default()
        };
        let quant = Expr::QuantSub {
            left: Box::new(l),
            cmp: Box::new(cmp),
            query: Box::new(Query::Select(Box::new(query))),
            all,
        };
        // A NULL array: NULL (json_each would give no rows: false / true).
        Ok(Expr::Case {
            whens: vec![(
                Expr::IsNull(Box::new(r), false),
                Expr::Const(Value::Null, BOOL),
            )],
            default: Some(Box::new(quant)),
            ty: BOOL,
        })
    }

    /// An operator with an array operand; None when neither side is one.
    pub(super) fn array_op(
        &mut self,
        op: &str,
        l: &Expr,
        r: &Expr,
        location: i32,
    ) -> R<Option<Expr>> {
        let (lt, rt) = (l.ty(), r.ty());
        let (le, re) = (array_element(lt), array_element(rt));
        if le.is_none() && re.is_none() {
            if [lt, rt].iter().any(|&t| element_of(t).is_some()) {
                return unsupported("operator on an array of this type");
            }
            return Ok(None);
        }
        // The array type both sides take (an unknown literal takes the
        // other side's).
        let (l, r) = (l.clone(), r.clone());
        if op == "||" {
            return self.array_concat(l, r, location).map(Some);
        }
        let ty = match (le, re) {
            (Some(_), None) if rt == UNKNOWN || matches!(r, Expr::Param(_, UNKNOWN)) => lt,
            (None, Some(_)) if lt == UNKNOWN || matches!(l, Expr::Param(_, UNKNOWN)) => rt,
            // (anyarray operators: both sides of one array type.)
            (Some(_), Some(_)) if lt == rt => lt,
            _ => return Err(self.no_operator(op, Some(lt), rt, location, false)),
        };
        let elem = array_element(ty).unwrap_or(TEXT);
        let l = self.coerce(l, ty, -1, CastContext::Implicit, location)?;
        let r = self.coerce(r, ty, -1, CastContext::Implicit, location)?;
        let key = |e: Expr| call("pm_array_key($1, $2)", vec![e, elem_const(elem)], BYTEA);
        let template = match op {
            "=" => "($1 = $2)",
            "<>" | "!=" => "($1 <> $2)",
            "<" => "($1 < $2)",
            "<=" => "($1 <= $2)",
            ">" => "($1 > $2)",
            ">=" => "($1 >= $2)",
            "@>" => {
                return Ok(Some(call(
                    "pm_array_contains($1, $2, $3)",
                    vec![l, r, elem_const(elem)],
                    BOOL,
                )))
            }
            "<@" => {
                return Ok(Some(call(
                    "pm_array_contains($2, $1, $3)",
                    vec![l, r, elem_const(elem)],
                    BOOL,
                )))
            }
            "&&" => {
                return Ok(Some(call(
                    "pm_array_overlap($1, $2, $3)",
                    vec![l, r, elem_const(elem)],
                    BOOL,
                )))
            }
            _ => return Err(self.no_operator(op, Some(lt), rt, location, false)),
        };
        Ok(Some(call(template, vec![key(l), key(r)], BOOL)))
    }

    /// Two array types whose elements have a common type: that type's array.
    fn common_array_type(&self, a: u32, b: u32) -> Option<u32> {
        let (ea, eb) = (array_element(a)?, array_element(b)?);
        let e = ops::common_type(&[ea, eb]).ok()?;
        let t = array_of(e);
        (t != 0 && supported_element(e)).then_some(t)
    }

    /// `||` with an array: array || array, array || element, element || array.
    fn array_concat(&mut self, l: Expr, r: Expr, location: i32) -> R<Expr> {
        let (lt, rt) = (l.ty(), r.ty());
        let unknownish = |e: &Expr| e.ty() == UNKNOWN || matches!(e, Expr::Param(_, UNKNOWN));
        match (array_element(lt), array_element(rt)) {
            (Some(_), Some(_)) => {
                let ty = if lt == rt {
                    lt
                } else {
                    self.common_array_type(lt, rt)
                        .ok_or_else(|| self.no_operator("||", Some(lt), rt, location, false))?
                };
                let l = self.coerce(l, ty, -1, CastContext::Implicit, location)?;
                let r = self.coerce(r, ty, -1, CastContext::Implicit, location)?;
                Ok(call("pm_array_cat($1, $2)", vec![l, r], ty))
            }
            // An unknown literal is an array (operator resolution prefers
            // array || array); an element gives array || element, with one
            // element type for both (anycompatible).
            (Some(_), None) | (None, Some(_)) if unknownish(&l) || unknownish(&r) => {
                let ty = if unknownish(&r) { lt } else { rt };
                let l = self.coerce(l, ty, -1, CastContext::Implicit, location)?;
                let r = self.coerce(r, ty, -1, CastContext::Implicit, location)?;
                Ok(call("pm_array_cat($1, $2)", vec![l, r], ty))
            }
            (Some(e), None) | (None, Some(e)) => {
                let append = array_element(lt).is_some();
                let other = if append { rt } else { lt };
                let elem = match ops::common_type(&[e, other]) {
                    Ok(t) if supported_element(t) && array_of(t) != 0 => t,
                    _ => return Err(self.no_operator("||", Some(lt), rt, location, false)),
                };
                let ty = array_of(elem);
                let (lt, rt) = if append { (ty, elem) } else { (elem, ty) };
                let l = self.coerce(l, lt, -1, CastContext::Implicit, location)?;
                let r = self.coerce(r, rt, -1, CastContext::Implicit, location)?;
                Ok(if append {
                    call(
                        "pm_array_append($1, $2, $3)",
                        vec![l, elem_const(elem), r],
                        ty,
                    )
                } else {
                    call(
                        "pm_array_prepend($1, $2, $3)",
                        vec![l, r, elem_const(elem)],
                        ty,
                    )
                })
            }
            (None, None) => Err(self.no_operator("||", Some(lt), rt, location, false)),
        }
    }

    /// A cast to or from an array type; None when neither is one.
    pub(super) fn array_coerce(
        &mut self,
        e: Expr,
        to: u32,
        typmod: i32,
        context: CastContext,
        location: i32,
    ) -> R<Result<Expr, Expr>> {
        let from = e.ty();
        let (fe, te) = (array_element(from), array_element(to));
        if fe.is_none() && te.is_none() {
            if element_of(to).is_some() || (element_of(from).is_some() && from != UNKNOWN) {
                return unsupported("array of this element type");
            }
            return Ok(Err(e));
        }
        let explicit = context == CastContext::Explicit;
        match e {
            Expr::Unknown(text, loc) if te.is_some() => {
                if loc == -2 {
                    return Ok(Ok(Expr::Const(Value::Null, to)));
                }
                let elem = te.unwrap_or(TEXT);
                // (An explicit cast applies the typmod as one: truncating.)
                let v = crate::array::input(elem, &text, -1)
                    .and_then(|v| crate::array::apply_typmod(elem, typmod, v, explicit))
                    .map_err(|err| self.error_at(err, loc))?;
                return Ok(Ok(Expr::Const(Value::Text(v), to)));
            }
            Expr::Param(i, UNKNOWN) => {
                self.params[i - 1] = to;
                return Ok(Ok(Expr::Param(i, to)));
            }
            _ => {}
        }
        let string = |t: u32| ops::category(t) == ops::Category::String;
        match (fe, te) {
            (Some(f), Some(t)) => {
                if f == t && (typmod < 0 || e.typmod() == typmod) {
                    return Ok(Ok(retype(e, to)));
                }
                // Element casts that are I/O conversions (same result as the
                // element cast): integers widening, integers to numeric or
                // float, strings to strings, numeric to float, or a typmod.
                let io = f == t
                    || matches!((f, t), (INT2, INT4 | INT8) | (INT4, INT8))
                    || (matches!(f, INT2 | INT4 | INT8) && matches!(t, NUMERIC | FLOAT4 | FLOAT8))
                    || (f != BOOL && matches!(t, TEXT | VARCHAR | BPCHAR | NAME))
                    || (string(f) && explicit)
                    || (f == NUMERIC && matches!(t, FLOAT4 | FLOAT8))
                    || (f == DATE && matches!(t, TIMESTAMP));
                let allowed = ops::find_cast(f, t, context).is_some()
                    || (string(f) && explicit)
                    || (string(t) && context >= CastContext::Assignment)
                    || f == t;
                if !allowed {
                    return Err(self.cannot_cast(from, to, location));
                }
                if !io {
                    return unsupported("array cast between these element types");
                }
                Ok(Ok(call(
                    "pm_array_coerce($1, $2, $3, $4, $5)",
                    vec![
                        e,
                        elem_const(f),
                        elem_const(t),
                        Expr::Const(Value::Integer(typmod as i64), INT4),
                        Expr::Const(Value::Integer(explicit as i64), INT4),
                    ],
                    to,
                )))
            }
            (Some(f), None) if string(to) && context >= CastContext::Assignment => {
                let text = call("pm_array_out($1, $2)", vec![e, elem_const(f)], TEXT);
                self.coerce(text, to, typmod, context, location).map(Ok)
            }
            (None, Some(t)) if string(from) && explicit => {
                let e = self.coerce(e, TEXT, -1, context, location)?;
                Ok(Ok(call(
                    "pm_array_in($1, $2, $3)",
                    vec![
                        e,
                        elem_const(t),
                        Expr::Const(Value::Integer(typmod as i64), INT4),
                    ],
                    to,
                )))
            }
            _ => Err(self.cannot_cast(from, to, location)),
        }
    }

    /// 42846 `cannot cast type x to y`.
    pub(super) fn cannot_cast(&self, from: u32, to: u32, location: i32) -> Fail {
        self.error_at(
            PgError::error(
                code::CANNOT_COERCE,
                format!(
                    "cannot cast type {} to {}",
                    ops::type_name(from),
                    format_type(to, -1)
                ),
            ),
            location,
        )
    }

    /// The array functions; None when `fname` is not one of them.
    pub(super) fn array_function(&mut self, fname: &str, f: &pb::FuncCall) -> R<Option<Expr>> {
        const NAMES: &[&str] = &[
            "array_length",
            "array_lower",
            "array_upper",
            "array_ndims",
            "array_dims",
            "cardinality",
            "array_append",
            "array_prepend",
            "array_cat",
            "array_to_string",
            "string_to_array",
            "array_position",
            "array_positions",
            "array_remove",
            "array_replace",
            "array_agg",
            "unnest",
            "float8_accum",
            "float8_regr_accum",
            "float8_combine",
            "float8_regr_combine",
        ];
        if !NAMES.contains(&fname) || f.agg_star || f.func_variadic {
            return Ok(None);
        }
        if fname != "array_agg"
            && (f.agg_distinct || f.agg_filter.is_some() || !f.agg_order.is_empty())
        {
            return Ok(None);
        }
        let mut args = Vec::new();
        for a in &f.args {
            if matches!(a.node, Some(N::NamedArgExpr(_))) {
                return unsupported("named argument");
            }
            args.push(self.expr(a)?);
        }
        let types: Vec<u32> = args.iter().map(Expr::ty).collect();
        let no_function = |s: &Self| {
            s.error_at(
                PgError::error(
                    code::UNDEFINED_FUNCTION,
                    format!("function {fname}({}) does not exist", type_list(&types)),
                )
                .with_hint("No function matches the given name and argument types. You might need to add explicit type casts."),
                f.location,
            )
        };
        // The array argument at `i` (an unknown literal is taken as text[]
        // when nothing else decides, as PostgreSQL's anyarray would fail).
        let is_array = |t: u32| array_element(t).is_some();
        let n = args.len();
        let int_arg =
            |s: &mut Self, e: Expr| s.coerce(e, INT4, -1, CastContext::Implicit, f.location);
        let mut args = args.into_iter();
        let mut next = || args.next().expect("argument count checked");
        Ok(Some(match (fname, n) {
            ("array_length" | "array_lower" | "array_upper", 2) if is_array(types[0]) => {
                let a = next();
                let d = next();
                let d = int_arg(self, d)?;
                let template = match fname {
                    "array_length" => "pm_array_length($1, $2)",
                    "array_lower" => "pm_array_lower($1, $2)",
                    _ => "pm_array_upper($1, $2)",
                };
                call(template, vec![a, d], INT4)
            }
            ("array_ndims", 1) if is_array(types[0]) => {
                call("pm_array_ndims($1)", vec![next()], INT4)
            }
            ("array_dims", 1) if is_array(types[0]) => {
                call("pm_array_dims($1)", vec![next()], TEXT)
            }
            ("cardinality", 1) if is_array(types[0]) => {
                call("pm_cardinality($1)", vec![next()], INT4)
            }
            ("array_append" | "array_prepend" | "array_cat", 2) => {
                // anycompatiblearray / anycompatible: one element type for
                // all (unknown literals take it).
                let (a, b) = (next(), next());
                let arrays = match fname {
                    "array_append" => [true, false],
                    "array_prepend" => [false, true],
                    _ => [true, true],
                };
                let mut elems = Vec::new();
                for (&t, &is) in types.iter().zip(&arrays) {
                    match (t, is) {
                        (UNKNOWN, _) => {}
                        (t, true) => elems.push(array_element(t).ok_or_else(|| no_function(self))?),
                        (t, false) => elems.push(t),
                    }
                }
                if elems.is_empty() {
                    elems.push(TEXT);
                }
                let e = match self.common_type(&elems, fname, f.location) {
                    Ok(e) => e,
                    Err(Fail::Error(_)) => return Err(no_function(self)),
                    Err(other) => return Err(other),
                };
                let ty = array_of(e);
                if ty == 0 || !supported_element(e) {
                    return unsupported("array of this element type");
                }
                let target = |is: bool| if is { ty } else { e };
                let a = self.coerce(a, target(arrays[0]), -1, CastContext::Implicit, f.location)?;
                let b = self.coerce(b, target(arrays[1]), -1, CastContext::Implicit, f.location)?;
                match fname {
                    "array_append" => {
                        call("pm_array_append($1, $2, $3)", vec![a, elem_const(e), b], ty)
                    }
                    "array_prepend" => call(
                        "pm_array_prepend($1, $2, $3)",
                        vec![a, b, elem_const(e)],
                        ty,
                    ),
                    _ => call("pm_array_cat($1, $2)", vec![a, b], ty),
                }
            }
            ("array_to_string", 2 | 3) if is_array(types[0]) => {
                let e = array_element(types[0]).unwrap_or(TEXT);
                let a = next();
                let sep = next();
                let sep = self.coerce(sep, TEXT, -1, CastContext::Implicit, f.location)?;
                let null = if n == 3 {
                    let x = next();
                    self.coerce(x, TEXT, -1, CastContext::Implicit, f.location)?
                } else {
                    Expr::Const(Value::Null, TEXT)
                };
                call(
                    "pm_array_to_string($1, $2, $3, $4)",
                    vec![a, elem_const(e), sep, null],
                    TEXT,
                )
            }
            ("string_to_array", 2 | 3) => {
                let mut v = Vec::new();
                for _ in 0..n {
                    let x = next();
                    v.push(self.coerce(x, TEXT, -1, CastContext::Implicit, f.location)?);
                }
                if n == 2 {
                    v.push(Expr::Const(Value::Null, TEXT));
                }
                call("pm_string_to_array($1, $2, $3)", v, array_of(TEXT))
            }
            ("array_position", 2 | 3)
            | ("array_positions" | "array_remove", 2)
            | ("array_replace", 3)
                if is_array(types[0]) =>
            {
                let e = array_element(types[0]).unwrap_or(TEXT);
                let a = next();
                let mut v = vec![a, elem_const(e)];
                let x = next();
                v.push(self.coerce(x, e, -1, CastContext::Implicit, f.location)?);
                match fname {
                    "array_position" => {
                        let start = if n == 3 {
                            let s = next();
                            int_arg(self, s)?
                        } else {
                            Expr::Const(Value::Null, INT4)
                        };
                        v.push(start);
                        call("pm_array_position($1, $2, $3, $4)", v, INT4)
                    }
                    "array_positions" => call("pm_array_positions($1, $2, $3)", v, array_of(INT4)),
                    "array_remove" => call("pm_array_remove($1, $2, $3)", v, types[0]),
                    _ => {
                        let y = next();
                        v.push(self.coerce(y, e, -1, CastContext::Implicit, f.location)?);
                        call("pm_array_replace($1, $2, $3, $4)", v, types[0])
                    }
                }
            }
            ("array_agg", 1) => {
                let x = next();
                let t = match x.ty() {
                    UNKNOWN => TEXT,
                    t => t,
                };
                let x = self.coerce(x, t, -1, CastContext::Implicit, f.location)?;
                if x.contains_agg() {
                    return Err(self.error_at(
                        PgError::error(
                            code::GROUPING_ERROR,
                            "aggregate function calls cannot be nested",
                        ),
                        f.location,
                    ));
                }
                let filter = self.agg_filter(f)?;
                let mut order = Vec::new();
                for o in &f.agg_order {
                    let Some(N::SortBy(sb)) = o.node.as_ref() else {
                        return unsupported("aggregate ORDER BY");
                    };
                    let (desc, nulls_first) = sort_direction(sb)?;
                    let e =
                        self.expr(sb.node.as_deref().ok_or(Fail::Unsupported("sort".into()))?)?;
                    if !ordered_like_postgresql(e.ty()) || e.contains_agg() {
                        return unsupported("aggregate ORDER BY of this type");
                    }
                    order.push(OrderItem {
                        expr: e,
                        desc,
                        nulls_first,
                    });
                }
                if f.agg_distinct {
                    // The distinct values in their type's order (PostgreSQL
                    // sorts to find them); ORDER BY may only be the argument.
                    let (desc, nulls_first) = match order.as_slice() {
                        [] => (false, false),
                        [o] if o.expr == x => (o.desc, o.nulls_first),
                        _ => {
                            return Err(self.error_at(
                                PgError::error(
                                    code::INVALID_COLUMN_REFERENCE,
                                    "in an aggregate with DISTINCT, ORDER BY expressions must appear in argument list",
                                ),
                                f.location,
                            ))
                        }
                    };
                    if is_array(t) || !supported_element(t) || array_of(t) == 0 {
                        return unsupported("array_agg(DISTINCT ...) of this type");
                    }
                    let flag = |b: bool| Expr::Const(Value::Integer(b as i64), INT4);
                    return Ok(Some(Expr::Agg {
                        template: "pm_array_agg_distinct($1, $2, $3, $4)",
                        args: vec![elem_const(t), x, flag(desc), flag(nulls_first)],
                        distinct: false,
                        ty: array_of(t),
                        filter,
                        order: Vec::new(),
                    }));
                }
                if is_array(t) {
                    Expr::Agg {
                        template: "pm_array_agg_arrays($1)",
                        args: vec![x],
                        distinct: false,
                        ty: t,
                        filter,
                        order,
                    }
                } else if supported_element(t) && array_of(t) != 0 {
                    Expr::Agg {
                        template: "pm_array_agg($1, $2)",
                        args: vec![elem_const(t), x],
                        distinct: false,
                        ty: array_of(t),
                        filter,
                        order,
                    }
                } else {
                    return unsupported("array_agg of this type");
                }
            }
            // The float8 statistics aggregates' transition and combine
            // functions, over their float8[] states.
            ("float8_accum", 2)
            | ("float8_regr_accum", 3)
            | ("float8_combine" | "float8_regr_combine", 2) => {
                let state = array_of(FLOAT8);
                let mut v = Vec::new();
                for (i, a) in (0..n).map(|_| next()).enumerate() {
                    let to = if i == 0 || fname.ends_with("combine") {
                        state
                    } else {
                        FLOAT8
                    };
                    v.push(self.coerce(a, to, -1, CastContext::Implicit, f.location)?);
                }
                let template = match fname {
                    "float8_accum" => "pm_float8_accum($1, $2)",
                    "float8_regr_accum" => "pm_float8_regr_accum($1, $2, $3)",
                    "float8_combine" => "pm_float8_combine($1, $2)",
                    _ => "pm_float8_regr_combine($1, $2)",
                };
                call(template, v, state)
            }
            ("unnest", _) => return unsupported("function unnest outside FROM"),
            _ if types
                .iter()
                .any(|&t| element_of(t).is_some() && !is_array(t)) =>
            {
                return unsupported("array of this element type")
            }
            _ => return Err(no_function(self)),
        }))
    }

    /// min / max over an array argument (array_smaller / array_larger).
    pub(super) fn array_min_max(
        &mut self,
        fname: &str,
        f: &pb::FuncCall,
        args: &[Expr],
    ) -> R<Option<Expr>> {
        let [x] = args else {
            return Ok(None);
        };
        let Some(e) = array_element(x.ty()).filter(|_| matches!(fname, "max" | "min")) else {
            return Ok(None);
        };
        if f.agg_distinct || !f.agg_order.is_empty() {
            return unsupported("DISTINCT / ORDER BY in min or max over arrays");
        }
        if x.contains_agg() {
            return Err(self.error_at(
                PgError::error(
                    code::GROUPING_ERROR,
                    "aggregate function calls cannot be nested",
                ),
                f.location,
            ));
        }
        Ok(Some(Expr::Agg {
            template: if fname == "max" {
                "pm_array_max($1, $2)"
            } else {
                "pm_array_min($1, $2)"
            },
            args: vec![x.clone(), elem_const(e)],
            distinct: false,
            ty: x.ty(),
            filter: self.agg_filter(f)?,
            order: Vec::new(),
        }))
    }

    /// `SET col[i][j] = v`: the column with that element replaced
    /// (transformAssignmentIndirection; a slice is not supported yet).
    pub(super) fn subscripted_assignment(
        &mut self,
        rt: &pb::ResTarget,
        col: &ColumnDef,
    ) -> R<Expr> {
        let Some(elem) = array_element(col.type_oid) else {
            if element_of(col.type_oid).is_some() {
                return unsupported("assignment to an element of an array of this type");
            }
            return Err(self.array_error(
                code::DATATYPE_MISMATCH,
                format!(
                    "cannot subscript type {} because it does not support subscripting",
                    ops::type_name(col.type_oid)
                ),
                rt.location,
            ));
        };
        let mut args = vec![
            Expr::Column {
                rel: None,
                name: col.name.clone(),
                ty: col.type_oid,
                typmod: col.typmod,
            },
            elem_const(elem),
        ];
        let v = rt.val.as_deref().ok_or(Fail::Unsupported("SET".into()))?;
        if matches!(v.node, Some(N::SetToDefault(_))) {
            return unsupported("DEFAULT for an array element");
        }
        let value = self.expr(v)?;
        let element = ColumnDef {
            name: col.name.clone(),
            type_oid: elem,
            typmod: col.typmod,
        };
        args.push(self.assign(value, &element, node_location(v))?);
        for n in &rt.indirection {
            match n.node.as_ref() {
                Some(N::AIndices(ix)) if !ix.is_slice => {
                    let b = ix
                        .uidx
                        .as_deref()
                        .ok_or(Fail::Unsupported("subscript".into()))?;
                    let e = self.expr(b)?;
                    args.push(self.coerce(
                        e,
                        INT4,
                        -1,
                        CastContext::Assignment,
                        node_location(b),
                    )?);
                }
                Some(N::AIndices(_)) => return unsupported("assignment to an array slice"),
                _ => return unsupported("assignment to a field"),
            }
        }
        if args.len() - 3 > 6 {
            return unsupported("more than 6 subscripts");
        }
        Ok(call("pm_array_set($*)", args, col.type_oid))
    }

    /// concat(VARIADIC a), concat_ws(sep, VARIADIC a), format(f, VARIADIC
    /// a): the array's elements as the arguments.
    pub(super) fn concat_variadic(&mut self, fname: &str, f: &pb::FuncCall) -> R<Expr> {
        let leading = usize::from(fname != "concat");
        if f.args.len() != leading + 1 || f.agg_star || f.agg_distinct {
            return unsupported("VARIADIC with these arguments");
        }
        let last = &f.args[leading];
        let mut a = self.expr(last)?;
        if a.ty() == UNKNOWN {
            a = self.coerce(
                a,
                array_of(TEXT),
                -1,
                CastContext::Implicit,
                node_location(last),
            )?;
        }
        let Some(elem) = array_element(a.ty()) else {
            if element_of(a.ty()).is_some() {
                return unsupported("VARIADIC array of this type");
            }
            return Err(self.array_error(
                code::DATATYPE_MISMATCH,
                "VARIADIC argument must be an array".into(),
                node_location(last),
            ));
        };
        let text_arg = |s: &mut Self, n: &pb::Node| -> R<Expr> {
            let e = s.expr(n)?;
            s.coerce(e, TEXT, -1, CastContext::Implicit, f.location)
        };
        Ok(match fname {
            // NULLs skipped, each element by its output function.
            "concat" => call(
                "pm_array_to_string($1, $2, '', NULL)",
                vec![a, elem_const(elem)],
                TEXT,
            ),
            "concat_ws" => {
                let sep = text_arg(self, &f.args[0])?;
                call(
                    "pm_array_to_string($1, $2, $3, NULL)",
                    vec![a, elem_const(elem), sep],
                    TEXT,
                )
            }
            _ => {
                let fmt = text_arg(self, &f.args[0])?;
                call(
                    "pm_format_variadic($1, $2, $3)",
                    vec![fmt, a, elem_const(elem)],
                    TEXT,
                )
            }
        })
    }

    /// string_agg(DISTINCT v, sep [ORDER BY v]): the distinct values in
    /// text order (PostgreSQL sorts to find them), joined by `sep`.
    pub(super) fn string_agg_distinct(&mut self, f: &pb::FuncCall) -> R<Expr> {
        let [v, sep] = f.args.as_slice() else {
            return unsupported("string_agg(DISTINCT ...) with these arguments");
        };
        let x = self.expr(v)?;
        if !matches!(x.ty(), TEXT | VARCHAR | BPCHAR | NAME | UNKNOWN) {
            return unsupported("string_agg(DISTINCT ...) of this type");
        }
        let mut order = Vec::new();
        for o in &f.agg_order {
            let Some(N::SortBy(sb)) = o.node.as_ref() else {
                return unsupported("aggregate ORDER BY");
            };
            let (desc, nulls_first) = sort_direction(sb)?;
            let e = self.expr(sb.node.as_deref().ok_or(Fail::Unsupported("sort".into()))?)?;
            order.push((e, desc, nulls_first));
        }
        let (desc, nulls_first) = match order.as_slice() {
            [] => (false, false),
            [(e, desc, nulls_first)] if *e == x => (*desc, *nulls_first),
            _ => {
                return Err(self.error_at(
                    PgError::error(
                        code::INVALID_COLUMN_REFERENCE,
                        "in an aggregate with DISTINCT, ORDER BY expressions must appear in argument list",
                    ),
                    f.location,
                ))
            }
        };
        if x.ty() == BPCHAR {
            // (char(n) would order without its blanks.)
            return unsupported("string_agg(DISTINCT ...) over character(n)");
        }
        let x = self.coerce(x, TEXT, -1, CastContext::Implicit, f.location)?;
        let sep = self.expr(sep)?;
        let sep = self.coerce(sep, TEXT, -1, CastContext::Implicit, f.location)?;
        if x.contains_agg() || sep.contains_agg() {
            return Err(self.error_at(
                PgError::error(
                    code::GROUPING_ERROR,
                    "aggregate function calls cannot be nested",
                ),
                f.location,
            ));
        }
        let flag = |b: bool| Expr::Const(Value::Integer(b as i64), INT4);
        Ok(Expr::Agg {
            template: "pm_string_agg_distinct($1, $2, $3, $4)",
            args: vec![x, sep, flag(desc), flag(nulls_first)],
            distinct: false,
            ty: TEXT,
            filter: self.agg_filter(f)?,
            order: Vec::new(),
        })
    }

    /// unnest's argument: an array of a supported element type.
    fn unnest_argument(&self, e: Expr, location: i32) -> R<Expr> {
        if e.ty() == UNKNOWN {
            return Err(self.error_at(
                PgError::error(
                    code::INDETERMINATE_DATATYPE,
                    "could not determine polymorphic type because input has type unknown",
                ),
                location,
            ));
        }
        if array_element(e.ty()).is_none() {
            if element_of(e.ty()).is_some() {
                return unsupported("unnest of an array of this type");
            }
            let types: Vec<u32> = vec![e.ty()];
            return Err(self.error_at(
                PgError::error(
                    code::UNDEFINED_FUNCTION,
                    format!("function unnest({}) does not exist", type_list(&types)),
                )
                .with_hint("No function matches the given name and argument types. You might need to add explicit type casts."),
                location,
            ));
        }
        Ok(e)
    }

    /// unnest(a [, b ...]) [WITH ORDINALITY] in FROM: its FROM item, the
    /// rel of its columns added to the scope.
    pub(super) fn unnest_in_from(
        &mut self,
        rf: &pb::RangeFunction,
        fc: &pb::FuncCall,
    ) -> R<FromItem> {
        if fc.args.is_empty()
            || fc.agg_star
            || fc.agg_distinct
            || fc.func_variadic
            || fc.over.is_some()
        {
            return unsupported("unnest of this form");
        }
        let mut arrays = Vec::new();
        for a in &fc.args {
            let e = self.expr(a)?;
            arrays.push(self.unnest_argument(e, fc.location)?);
        }
        let alias = rf
            .alias
            .as_ref()
            .map_or_else(|| "unnest".to_string(), |a| a.aliasname.clone());
        let names: Vec<String> = rf
            .alias
            .as_ref()
            .map(|a| {
                a.colnames
                    .iter()
                    .filter_map(str_of)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let mut columns = Vec::new();
        let mut sql_names = Vec::new();
        let single = arrays.len() == 1;
        for (i, a) in arrays.iter().enumerate() {
            let elem = array_element(a.ty()).unwrap_or(TEXT);
            // unnest(a) AS t: one column named t; unnest(a, b): unnest, unnest.
            let default = if single && rf.alias.is_some() {
                alias.clone()
            } else {
                "unnest".to_string()
            };
            columns.push(ColumnDef {
                name: names.get(i).cloned().unwrap_or(default),
                type_oid: elem,
                typmod: -1,
            });
            sql_names.push(lateral_column(elem, i));
        }
        if rf.ordinality {
            let i = arrays.len();
            columns.push(ColumnDef {
                name: names.get(i).cloned().unwrap_or_else(|| "ordinality".into()),
                type_oid: INT8,
                typmod: -1,
            });
            sql_names.push(format!("{LATERAL_COLUMN}{i}"));
        }
        if names.len() > columns.len() {
            return Err(Fail::Error(PgError::error(
                code::INVALID_COLUMN_REFERENCE,
                format!(
                    "table \"{alias}\" has {} columns available but {} columns specified",
                    columns.len(),
                    names.len()
                ),
            )));
        }
        let item = self.unnest_item(arrays, rf.ordinality, &alias);
        self.add_rel(
            Rel {
                alias: alias.clone(),
                qualifier: Some(alias.clone()),
                sql_names,
                columns,
                ..Default::default()
            },
            -1,
        )?;
        Ok(item)
    }

    /// generate_series(...) as the select list's one set-returning
    /// function: its FROM item (as `FROM generate_series(...)` makes it,
    /// LATERAL when its arguments name FROM's columns) after FROM's, and the
    /// target its column.
    fn select_list_series(
        &mut self,
        s: &pb::SelectStmt,
        unnests: &[(usize, &pb::FuncCall)],
        series: &[(usize, &pb::FuncCall)],
        out: &mut Select,
    ) -> R<Vec<(usize, Expr)>> {
        let [(i, fc)] = series else {
            return unsupported("several set-returning functions in the select list");
        };
        if !unnests.is_empty() {
            return unsupported("several set-returning functions in the select list");
        }
        if !s.group_clause.is_empty() || s.having_clause.is_some() || !s.distinct_clause.is_empty()
        {
            return unsupported(
                "generate_series in the select list of a grouped or DISTINCT query",
            );
        }
        let alias = self.fresh_alias();
        let column = "generate_series".to_string();
        let rf = pb::RangeFunction {
            functions: vec![pb::Node {
                node: Some(N::List(pb::List {
                    items: vec![pb::Node {
                        node: Some(N::FuncCall(Box::new((*fc).clone()))),
                    }],
                })),
            }],
            alias: Some(pb::Alias {
                aliasname: alias.clone(),
                colnames: vec![pb::Node {
                    node: Some(N::String(pb::String {
                        sval: column.clone(),
                    })),
                }],
            }),
            ..Default::default()
        };
        let item = self.range_function(&rf)?;
        out.from.push(item);
        let column = self
            .scopes
            .last()
            .and_then(|sc| sc.iter().find(|r| r.alias == alias))
            .filter(|r| !r.columns.is_empty())
            .map(|r| rel_column(r, 0))
            .ok_or(Fail::Unsupported(
                "generate_series in the select list".into(),
            ))?;
        // Not a relation of the select list's own (`*` does not show it).
        if let Some(sc) = self.scopes.last_mut() {
            sc.retain(|r| r.alias != alias);
        }
        Ok(vec![(*i, column)])
    }

    /// The select list's `unnest(array)` targets (PostgreSQL's set-returning
    /// functions in the select list, zipped to the longest): one FROM item
    /// after FROM's, and each such target's column of it.
    pub(super) fn select_list_unnest(
        &mut self,
        s: &pb::SelectStmt,
        out: &mut Select,
    ) -> R<Vec<(usize, Expr)>> {
        let mut at = Vec::new();
        let mut series = Vec::new();
        for (i, t) in s.target_list.iter().enumerate() {
            if let Some(N::ResTarget(rt)) = t.node.as_ref() {
                if let Some(N::FuncCall(fc)) = node(&rt.val) {
                    match name_parts(&fc.funcname).as_slice() {
                        ["unnest"] => at.push((i, &**fc)),
                        ["generate_series"] => series.push((i, &**fc)),
                        _ => {}
                    }
                }
            }
        }
        if !series.is_empty() {
            return self.select_list_series(s, &at, &series, out);
        }
        if at.is_empty() {
            return Ok(Vec::new());
        }
        if !s.group_clause.is_empty() || s.having_clause.is_some() || !s.distinct_clause.is_empty()
        {
            return unsupported("unnest in the select list of a grouped or DISTINCT query");
        }
        let mut arrays = Vec::new();
        for (_, fc) in &at {
            let [arg] = fc.args.as_slice() else {
                return unsupported("unnest of several arrays in the select list");
            };
            if fc.agg_star || fc.agg_distinct || fc.func_variadic || fc.over.is_some() {
                return unsupported("unnest of this form");
            }
            let e = self.expr(arg)?;
            arrays.push(self.unnest_argument(e, fc.location)?);
        }
        let alias = self.fresh_alias();
        let mut columns = Vec::new();
        for (k, a) in arrays.iter().enumerate() {
            let elem = array_element(a.ty()).unwrap_or(TEXT);
            let name = lateral_column(elem, k);
            columns.push(Expr::Column {
                rel: Some(alias.clone()),
                name,
                ty: elem,
                typmod: -1,
            });
        }
        out.from.push(self.unnest_item(arrays, false, &alias));
        Ok(at.iter().map(|(i, _)| *i).zip(columns).collect())
    }
}
