//! A small, bounded `macro_rules!` expander for the analysed code's own declarative macros
//! in item position (`make_error! { .. }` declaring an enum and its impls) and in impl
//! position (`impl Post { insert!(posts, NewPost); }` declaring methods).
//!
//! Hand-written on proc-macro2 token trees (ARCHITECTURE.md says why no crate is used).
//! Rules are tried in order, as rustc does; a rule matches when its matcher consumes the
//! whole input. Matching follows rustc's shape without its ambiguity errors: literal tokens
//! compare by text, repetitions (`$( .. ) sep op` with `*`, `+`, `?`, nested) are greedy and
//! never backtrack into, and fragments are read by syn's parsers on the remaining tokens
//! (`ident`, `lifetime`, `literal`, `tt` and `block` directly from the tokens).
//! Transcription substitutes the bindings, repeats `$( .. )` groups as many times as their
//! variables were matched, and writes `$crate` as `crate`.
//!
//! Everything is bounded by a [`Budget`] shared by the whole file: matching work (a
//! deterministic stand-in for time: a wall-clock limit would make the output depend on the
//! machine), output tokens, and the number of rules of one macro; recursion depth is counted
//! by the caller. Nothing here can loop or recurse without bound on any input.

use proc_macro2::{Delimiter, Group, Ident, Punct, Spacing, TokenStream, TokenTree};
use std::collections::HashMap;

/// Most nested expansions (a macro whose expansion calls a macro, ...): rustc's default
/// `recursion_limit`, which macros that eat one token per call reach on real code (libc's
/// `c_enum!` recurses once per variant).
pub(super) const MAX_DEPTH: u32 = 128;
/// Most tokens all expansions of one file may produce (vaultwarden's `make_config!`, the
/// largest item-generating call of the panel, writes about 30,000).
const MAX_OUTPUT_TOKENS: u64 = 200_000;
/// Most matching work (token comparisons and tokens handed to syn) per file.
const MAX_WORK: u64 = 2_000_000;
/// Most expansions per file: each one's output is parsed and lowered.
const MAX_EXPANSIONS: u32 = 5_000;
/// Most rules of one macro that are considered; more is not hand-written code.
const MAX_RULES: usize = 1_000;

/// What expansion may still spend in the current file.
#[derive(Debug)]
pub(super) struct Budget {
    work: u64,
    output: u64,
    expansions: u32,
}

impl Budget {
    /// A full budget, for one file.
    pub(super) fn new() -> Self {
        Budget {
            work: MAX_WORK,
            output: MAX_OUTPUT_TOKENS,
            expansions: MAX_EXPANSIONS,
        }
    }

    fn spend(&mut self, n: u64) -> Result<(), Failure> {
        match self.work.checked_sub(n) {
            Some(left) => {
                self.work = left;
                Ok(())
            }
            None => {
                self.work = 0;
                Err(Failure::WorkBound)
            }
        }
    }
}

/// Why a call was not expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Failure {
    /// No rule matched the input.
    NoRule,
    /// The definition could not be read (not `(matcher) => {transcriber}` rules).
    BadDefinition(String),
    /// The macro has more rules than [`MAX_RULES`].
    TooManyRules(usize),
    /// The file's matching work ran out.
    WorkBound,
    /// The file's output tokens ran out.
    OutputBound,
    /// The file's number of expansions ran out.
    CallBound,
}

impl Failure {
    /// A message fragment for the diagnostic, after "`name!` was not expanded: ".
    pub(super) fn describe(&self) -> String {
        match self {
            Failure::NoRule => "no rule matches this call".to_owned(),
            Failure::BadDefinition(why) => format!("its definition could not be read ({why})"),
            Failure::TooManyRules(n) => {
                format!("it has {n} rules, more than the {MAX_RULES} that are tried")
            }
            Failure::WorkBound => {
                format!("the file's expansion work bound ({MAX_WORK} matching steps) was exceeded")
            }
            Failure::OutputBound => format!(
                "the file's expansion output bound ({MAX_OUTPUT_TOKENS} tokens) was exceeded"
            ),
            Failure::CallBound => {
                format!("the file's bound of {MAX_EXPANSIONS} expansions was exceeded")
            }
        }
    }
}

/// A parsed `macro_rules!` definition.
#[derive(Debug)]
pub(super) struct MacroDef {
    rules: Result<Vec<Rule>, Failure>,
    /// For a macro of another crate, the name that crate is known by: `$crate` becomes
    /// `::name` rather than `crate`.
    krate: Option<String>,
}

#[derive(Debug)]
struct Rule {
    matcher: Vec<Matcher>,
    body: Vec<Tx>,
}

#[derive(Debug)]
enum Matcher {
    /// A literal token: an identifier, one punctuation character, or a literal, by text.
    Token(String),
    Group(Delimiter, Vec<Matcher>),
    Fragment(String, Frag),
    Repeat(Repetition<Matcher>),
}

#[derive(Debug)]
struct Repetition<T> {
    inner: Vec<T>,
    /// The separator's tokens (`,`, or `::` as two joint punctuation characters).
    sep: Vec<String>,
    op: char,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frag {
    Ident,
    Lifetime,
    Literal,
    Tt,
    Block,
    Ty,
    Path,
    Expr,
    Pat,
    PatParam,
    Item,
    Meta,
    Vis,
    Stmt,
}

#[derive(Debug, Clone)]
enum Binding {
    Leaf(Vec<TokenTree>),
    Seq(Vec<Binding>),
}

type Bindings = HashMap<String, Binding>;

impl MacroDef {
    /// Reads the rules of a `macro_rules! name { .. }` body; `krate` as in
    /// [`MacroDef::krate`].
    pub(super) fn parse(body: &TokenStream, krate: Option<String>) -> MacroDef {
        MacroDef {
            rules: parse_rules(body),
            krate,
        }
    }

    /// Expands a call's input tokens (the body between its delimiters).
    pub(super) fn expand(
        &self,
        input: &TokenStream,
        budget: &mut Budget,
    ) -> Result<TokenStream, Failure> {
        let rules = self.rules.as_ref().map_err(Clone::clone)?;
        match budget.expansions.checked_sub(1) {
            Some(left) => budget.expansions = left,
            None => return Err(Failure::CallBound),
        }
        let input: Vec<TokenTree> = input.clone().into_iter().collect();
        for rule in rules {
            let mut binds = Bindings::new();
            let mut pos = 0;
            if match_seq(&rule.matcher, &input, &mut pos, &mut binds, budget)? && pos == input.len()
            {
                let mut out = Vec::new();
                let krate = self.krate.as_deref();
                transcribe(&rule.body, &binds, &mut Vec::new(), &mut out, krate, budget)?;
                return Ok(out.into_iter().collect());
            }
        }
        Err(Failure::NoRule)
    }
}

fn parse_rules(body: &TokenStream) -> Result<Vec<Rule>, Failure> {
    let trees: Vec<TokenTree> = body.clone().into_iter().collect();
    let bad = |why: &str| Failure::BadDefinition(why.to_owned());
    let mut rules = Vec::new();
    let mut i = 0;
    while i < trees.len() {
        let TokenTree::Group(matcher) = &trees[i] else {
            return Err(bad("a rule does not start with a delimited matcher"));
        };
        let arrow = matches!(&trees.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '=')
            && matches!(&trees.get(i + 2), Some(TokenTree::Punct(p)) if p.as_char() == '>');
        let Some(TokenTree::Group(body)) = trees.get(i + 3).filter(|_| arrow) else {
            return Err(bad("a rule has no `=> { .. }` transcriber"));
        };
        if rules.len() == MAX_RULES {
            let n = trees
                .iter()
                .filter(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ';'))
                .count();
            return Err(Failure::TooManyRules(n.max(MAX_RULES + 1)));
        }
        let tokens: Vec<TokenTree> = matcher.stream().into_iter().collect();
        rules.push(Rule {
            matcher: parse_matcher(&tokens, 0)?,
            body: compile(&body.stream().into_iter().collect::<Vec<_>>(), 0)?,
        });
        i += 4;
        if matches!(&trees.get(i), Some(TokenTree::Punct(p)) if p.as_char() == ';') {
            i += 1;
        }
    }
    Ok(rules)
}

fn parse_matcher(tokens: &[TokenTree], depth: u32) -> Result<Vec<Matcher>, Failure> {
    if depth > 64 {
        return Err(Failure::BadDefinition(
            "matcher nested too deeply".to_owned(),
        ));
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            TokenTree::Punct(p) if p.as_char() == '$' => match tokens.get(i + 1) {
                Some(TokenTree::Ident(name)) => {
                    let colon = matches!(tokens.get(i + 2), Some(TokenTree::Punct(p)) if p.as_char() == ':');
                    match tokens.get(i + 3) {
                        Some(TokenTree::Ident(kind)) if colon => {
                            let frag = fragment(&kind.to_string()).ok_or_else(|| {
                                Failure::BadDefinition(format!("unknown fragment `{kind}`"))
                            })?;
                            out.push(Matcher::Fragment(unraw(name), frag));
                            i += 4;
                        }
                        _ => {
                            out.push(Matcher::Token("$".to_owned()));
                            i += 1;
                        }
                    }
                }
                Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis => {
                    let inner: Vec<TokenTree> = g.stream().into_iter().collect();
                    let inner = parse_matcher(&inner, depth + 1)?;
                    let (sep, op, used) = repetition_tail(&tokens[i + 2..])?;
                    out.push(Matcher::Repeat(Repetition { inner, sep, op }));
                    i += 2 + used;
                }
                _ => {
                    out.push(Matcher::Token("$".to_owned()));
                    i += 1;
                }
            },
            TokenTree::Group(g) => {
                let inner: Vec<TokenTree> = g.stream().into_iter().collect();
                out.push(Matcher::Group(
                    g.delimiter(),
                    parse_matcher(&inner, depth + 1)?,
                ));
                i += 1;
            }
            other => {
                out.push(Matcher::Token(token_text(other)));
                i += 1;
            }
        }
    }
    Ok(out)
}

/// After `$( .. )`: an optional separator (one token, or joint punctuation such as `::`
/// or `=>`) and the operator; returns how many tokens they took.
fn repetition_tail(rest: &[TokenTree]) -> Result<(Vec<String>, char, usize), Failure> {
    let op_of = |t: Option<&TokenTree>| match t {
        Some(TokenTree::Punct(p)) if matches!(p.as_char(), '*' | '+' | '?') => Some(p.as_char()),
        _ => None,
    };
    if let Some(op) = op_of(rest.first()) {
        return Ok((Vec::new(), op, 1));
    }
    let mut n = 1;
    while let (Some(TokenTree::Punct(p)), Some(TokenTree::Punct(_))) =
        (rest.get(n - 1), rest.get(n))
    {
        if p.spacing() != Spacing::Joint || op_of(rest.get(n)).is_some() || n >= 3 {
            break;
        }
        n += 1;
    }
    match (rest.first(), op_of(rest.get(n))) {
        (Some(TokenTree::Group(_)) | None, _) | (_, None) => Err(Failure::BadDefinition(
            "a repetition has no `*`, `+` or `?`".to_owned(),
        )),
        (Some(_), Some(op)) => Ok((rest[..n].iter().map(token_text).collect(), op, n + 1)),
    }
}

fn fragment(kind: &str) -> Option<Frag> {
    Some(match kind {
        "ident" => Frag::Ident,
        "lifetime" => Frag::Lifetime,
        "literal" => Frag::Literal,
        "tt" => Frag::Tt,
        "block" => Frag::Block,
        "ty" => Frag::Ty,
        "path" => Frag::Path,
        "expr" | "expr_2021" => Frag::Expr,
        "pat" => Frag::Pat,
        "pat_param" => Frag::PatParam,
        "item" => Frag::Item,
        "meta" => Frag::Meta,
        "vis" => Frag::Vis,
        "stmt" => Frag::Stmt,
        _ => return None,
    })
}

fn unraw(ident: &Ident) -> String {
    let s = ident.to_string();
    s.strip_prefix("r#").map(str::to_owned).unwrap_or(s)
}

fn token_text(t: &TokenTree) -> String {
    match t {
        TokenTree::Punct(p) => p.as_char().to_string(),
        TokenTree::Ident(i) => unraw(i),
        other => other.to_string(),
    }
}

/// Matches `ms` against `input[*pos..]`, advancing `pos`; `Ok(false)` when it does not.
fn match_seq(
    ms: &[Matcher],
    input: &[TokenTree],
    pos: &mut usize,
    binds: &mut Bindings,
    budget: &mut Budget,
) -> Result<bool, Failure> {
    for m in ms {
        budget.spend(1)?;
        match m {
            Matcher::Token(text) => match input.get(*pos) {
                Some(t) if !matches!(t, TokenTree::Group(_)) && token_text(t) == *text => *pos += 1,
                // A fragment passed on by an outer macro is an invisible group: look inside.
                Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::None => {
                    let inner: Vec<TokenTree> = g.stream().into_iter().collect();
                    if inner.len() == 1 && token_text(&inner[0]) == *text {
                        *pos += 1;
                    } else {
                        return Ok(false);
                    }
                }
                _ => return Ok(false),
            },
            Matcher::Group(delim, inner) => match input.get(*pos) {
                Some(TokenTree::Group(g)) if g.delimiter() == *delim => {
                    let tokens: Vec<TokenTree> = g.stream().into_iter().collect();
                    let mut p = 0;
                    if !match_seq(inner, &tokens, &mut p, binds, budget)? || p != tokens.len() {
                        return Ok(false);
                    }
                    *pos += 1;
                }
                _ => return Ok(false),
            },
            Matcher::Fragment(name, frag) => match match_fragment(*frag, &input[*pos..], budget)? {
                Some(n) => {
                    let tokens = &input[*pos..*pos + n];
                    let value = if *frag == Frag::Expr && n > 1 {
                        // rustc passes an expression on as one invisible group, so that
                        // `$a * 2` keeps `$a`'s precedence.
                        let g = Group::new(Delimiter::None, tokens.iter().cloned().collect());
                        vec![TokenTree::Group(g)]
                    } else {
                        tokens.to_vec()
                    };
                    binds.insert(name.clone(), Binding::Leaf(value));
                    *pos += n;
                }
                None => return Ok(false),
            },
            Matcher::Repeat(rep) => {
                let mut iterations: Vec<Bindings> = Vec::new();
                loop {
                    budget.spend(1)?;
                    let start = *pos;
                    let mut p = *pos;
                    if !iterations.is_empty() && !rep.sep.is_empty() {
                        let n = rep.sep.len();
                        let found = input.get(p..p + n).is_some_and(|ts| {
                            ts.iter().zip(&rep.sep).all(|(t, s)| {
                                !matches!(t, TokenTree::Group(_)) && token_text(t) == *s
                            })
                        });
                        if !found {
                            break;
                        }
                        p += n;
                    }
                    let mut b = Bindings::new();
                    if !match_seq(&rep.inner, input, &mut p, &mut b, budget)? {
                        *pos = start;
                        break;
                    }
                    iterations.push(b);
                    *pos = p;
                    // An iteration that consumed nothing would repeat forever.
                    if p == start || rep.op == '?' {
                        break;
                    }
                }
                if rep.op == '+' && iterations.is_empty() {
                    return Ok(false);
                }
                let mut names = Vec::new();
                matcher_vars(&rep.inner, &mut names);
                for name in names {
                    let seq = iterations
                        .iter_mut()
                        .map(|b| b.remove(&name).unwrap_or(Binding::Seq(Vec::new())))
                        .collect();
                    binds.insert(name, Binding::Seq(seq));
                }
            }
        }
    }
    Ok(true)
}

fn matcher_vars(ms: &[Matcher], out: &mut Vec<String>) {
    for m in ms {
        match m {
            Matcher::Fragment(name, _) => out.push(name.clone()),
            Matcher::Group(_, inner) => matcher_vars(inner, out),
            Matcher::Repeat(rep) => matcher_vars(&rep.inner, out),
            Matcher::Token(_) => {}
        }
    }
}

/// How many token trees at the start of `input` a fragment takes, if it matches.
fn match_fragment(
    frag: Frag,
    input: &[TokenTree],
    budget: &mut Budget,
) -> Result<Option<usize>, Failure> {
    let first = input.first();
    let n = match frag {
        // A lifetime is one token tree for rustc, two tokens for proc-macro2.
        Frag::Tt => match (first, input.get(1)) {
            (Some(TokenTree::Punct(p)), Some(TokenTree::Ident(_)))
                if p.as_char() == '\'' && p.spacing() == Spacing::Joint =>
            {
                Some(2)
            }
            (first, _) => first.map(|_| 1),
        },
        Frag::Ident => match first {
            Some(TokenTree::Ident(i)) if *i != "_" => Some(1),
            Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::None => {
                let inner: Vec<TokenTree> = g.stream().into_iter().collect();
                matches!(inner.as_slice(), [TokenTree::Ident(_)]).then_some(1)
            }
            _ => None,
        },
        Frag::Lifetime => match (first, input.get(1)) {
            (Some(TokenTree::Punct(p)), Some(TokenTree::Ident(_)))
                if p.as_char() == '\'' && p.spacing() == Spacing::Joint =>
            {
                Some(2)
            }
            _ => None,
        },
        Frag::Literal => match (first, input.get(1)) {
            (Some(TokenTree::Literal(_)), _) => Some(1),
            (Some(TokenTree::Ident(i)), _) if *i == "true" || *i == "false" => Some(1),
            (Some(TokenTree::Punct(p)), Some(TokenTree::Literal(_))) if p.as_char() == '-' => {
                Some(2)
            }
            (Some(TokenTree::Group(g)), _) if g.delimiter() == Delimiter::None => Some(1),
            _ => None,
        },
        Frag::Block => match first {
            Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace => Some(1),
            _ => None,
        },
        _ => syn_prefix(frag, input, budget)?,
    };
    Ok(n)
}

/// How many token trees syn's parser for `frag` takes from the start of `input`.
fn syn_prefix(
    frag: Frag,
    input: &[TokenTree],
    budget: &mut Budget,
) -> Result<Option<usize>, Failure> {
    use syn::parse::{ParseStream, Parser};
    // No fragment but `item` and `stmt` goes past a top-level `;`.
    let end = match frag {
        Frag::Item | Frag::Stmt => input.len(),
        _ => input
            .iter()
            .position(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ';'))
            .unwrap_or(input.len()),
    };
    if end == 0 && frag != Frag::Vis {
        return Ok(None);
    }
    budget.spend(end as u64 + 1)?;
    let stream: TokenStream = input[..end].iter().cloned().collect();
    let parser = |ps: ParseStream<'_>| -> syn::Result<usize> {
        match frag {
            Frag::Ty => drop(ps.parse::<syn::Type>()?),
            Frag::Path => drop(ps.parse::<syn::Path>()?),
            Frag::Expr => drop(ps.parse::<syn::Expr>()?),
            Frag::Pat => drop(syn::Pat::parse_multi_with_leading_vert(ps)?),
            Frag::PatParam => drop(syn::Pat::parse_single(ps)?),
            Frag::Item => drop(ps.parse::<syn::Item>()?),
            Frag::Meta => drop(ps.parse::<syn::Meta>()?),
            Frag::Vis => drop(ps.parse::<syn::Visibility>()?),
            Frag::Stmt => drop(ps.parse::<syn::Stmt>()?),
            _ => return Err(ps.error("not a syn fragment")),
        }
        let rest: TokenStream = ps.parse()?;
        Ok(rest.into_iter().count())
    };
    Ok(parser.parse2(stream).ok().map(|left| end - left))
}

/// A transcriber, read once per rule.
#[derive(Debug)]
enum Tx {
    /// A token copied as is (`$$` gives a `$`).
    Token(TokenTree),
    /// `$name`: the binding, or the two tokens as written when nothing is bound.
    Var(String, [TokenTree; 2]),
    /// `$crate`, with its span.
    Crate(proc_macro2::Span),
    Group(Delimiter, proc_macro2::Span, Vec<Tx>),
    /// `$( .. ) sep op`, with the variables inside (to count the repetitions).
    Repeat {
        inner: Vec<Tx>,
        sep: Vec<TokenTree>,
        vars: Vec<String>,
    },
}

fn compile(body: &[TokenTree], depth: u32) -> Result<Vec<Tx>, Failure> {
    if depth > 64 {
        return Err(Failure::BadDefinition(
            "transcriber nested too deeply".to_owned(),
        ));
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < body.len() {
        match &body[i] {
            TokenTree::Punct(p) if p.as_char() == '$' => match body.get(i + 1) {
                Some(TokenTree::Ident(name)) if *name == "crate" => {
                    out.push(Tx::Crate(name.span()));
                    i += 2;
                }
                Some(TokenTree::Ident(name)) => {
                    out.push(Tx::Var(unraw(name), [body[i].clone(), body[i + 1].clone()]));
                    i += 2;
                }
                Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis => {
                    let tokens: Vec<TokenTree> = g.stream().into_iter().collect();
                    let (sep, _, used) = repetition_tail(&body[i + 2..])?;
                    let mut vars = Vec::new();
                    transcriber_vars(&tokens, &mut vars, 0);
                    out.push(Tx::Repeat {
                        inner: compile(&tokens, depth + 1)?,
                        sep: body[i + 2..i + 2 + sep.len()].to_vec(),
                        vars,
                    });
                    i += 2 + used;
                }
                Some(TokenTree::Punct(q)) if q.as_char() == '$' => {
                    out.push(Tx::Token(body[i + 1].clone()));
                    i += 2;
                }
                _ => {
                    out.push(Tx::Token(body[i].clone()));
                    i += 1;
                }
            },
            TokenTree::Group(g) => {
                let tokens: Vec<TokenTree> = g.stream().into_iter().collect();
                out.push(Tx::Group(
                    g.delimiter(),
                    g.span(),
                    compile(&tokens, depth + 1)?,
                ));
                i += 1;
            }
            other => {
                out.push(Tx::Token(other.clone()));
                i += 1;
            }
        }
    }
    Ok(out)
}

/// Writes `body` with the bindings substituted; `idx` holds the current repetition indices.
fn transcribe(
    body: &[Tx],
    binds: &Bindings,
    idx: &mut Vec<usize>,
    out: &mut Vec<TokenTree>,
    krate: Option<&str>,
    budget: &mut Budget,
) -> Result<(), Failure> {
    for tx in body {
        budget.spend(1)?;
        match tx {
            Tx::Token(t) => emit(out, t.clone(), budget)?,
            Tx::Var(name, written) => match binds.get(name).and_then(|b| at(b, idx)) {
                Some(Binding::Leaf(tokens)) => {
                    for t in tokens {
                        emit(out, t.clone(), budget)?;
                    }
                }
                _ => {
                    for t in written {
                        emit(out, t.clone(), budget)?;
                    }
                }
            },
            Tx::Crate(span) => match krate {
                Some(krate) => {
                    let mut colon = Punct::new(':', Spacing::Joint);
                    colon.set_span(*span);
                    emit(out, TokenTree::Punct(colon), budget)?;
                    let mut colon = Punct::new(':', Spacing::Alone);
                    colon.set_span(*span);
                    emit(out, TokenTree::Punct(colon), budget)?;
                    emit(out, TokenTree::Ident(Ident::new(krate, *span)), budget)?;
                }
                None => emit(out, TokenTree::Ident(Ident::new("crate", *span)), budget)?,
            },
            Tx::Repeat { inner, sep, vars } => {
                let count = repeat_count(vars, binds, idx);
                for k in 0..count {
                    if k > 0 {
                        for t in sep {
                            emit(out, t.clone(), budget)?;
                        }
                    }
                    idx.push(k);
                    let res = transcribe(inner, binds, idx, out, krate, budget);
                    idx.pop();
                    res?;
                }
            }
            Tx::Group(delim, span, inner) => {
                let mut sub = Vec::new();
                transcribe(inner, binds, idx, &mut sub, krate, budget)?;
                let mut group = Group::new(*delim, sub.into_iter().collect());
                group.set_span(*span);
                emit(out, TokenTree::Group(group), budget)?;
            }
        }
    }
    Ok(())
}

fn emit(out: &mut Vec<TokenTree>, t: TokenTree, budget: &mut Budget) -> Result<(), Failure> {
    match budget.output.checked_sub(1) {
        Some(left) => budget.output = left,
        None => return Err(Failure::OutputBound),
    }
    out.push(t);
    Ok(())
}

/// The binding of a variable at the current repetition indices (a variable bound at a
/// shallower depth is repeated as is).
fn at<'b>(b: &'b Binding, idx: &[usize]) -> Option<&'b Binding> {
    let mut cur = b;
    for &k in idx {
        match cur {
            Binding::Seq(items) => cur = items.get(k)?,
            Binding::Leaf(_) => return Some(cur),
        }
    }
    Some(cur)
}

/// How many times a `$( .. )` group repeats: the length of the first variable inside it
/// that is still a sequence at this depth (0 when none is: nothing to repeat over).
fn repeat_count(vars: &[String], binds: &Bindings, idx: &[usize]) -> usize {
    for name in vars {
        if let Some(Binding::Seq(items)) = binds.get(name).and_then(|b| at(b, idx)) {
            return items.len();
        }
    }
    0
}

fn transcriber_vars(tokens: &[TokenTree], out: &mut Vec<String>, depth: u32) {
    if depth > 64 {
        return;
    }
    for (k, t) in tokens.iter().enumerate() {
        match t {
            TokenTree::Punct(p) if p.as_char() == '$' => {
                if let Some(TokenTree::Ident(name)) = tokens.get(k + 1) {
                    out.push(unraw(name));
                }
            }
            TokenTree::Group(g) => {
                let inner: Vec<TokenTree> = g.stream().into_iter().collect();
                transcriber_vars(&inner, out, depth + 1);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand(def: &str, call: &str) -> Result<String, Failure> {
        let def = MacroDef::parse(&def.parse().unwrap(), None);
        let mut budget = Budget::new();
        // Compared without spaces: proc-macro2 prints joint punctuation without them.
        def.expand(&call.parse().unwrap(), &mut budget)
            .map(|t| t.to_string().replace(' ', ""))
    }

    #[test]
    fn fragments_and_nested_repetitions_are_substituted() {
        let def =
            "($vis:vis enum $name:ident { $($v:ident ( $($t:ty),* ) => $e:expr),* $(,)? }) => {
            $vis enum $name { $($v($($t),*)),* }
            $(const $v: i32 = $e;)*
        }";
        let out = expand(def, "pub enum E { A(u8, Vec<String>) => 1 + 2, B() => 3, }").unwrap();
        assert_eq!(
            out,
            "pubenumE{A(u8,Vec<String>),B()}constA:i32=1+2;constB:i32=3;"
        );
    }

    #[test]
    fn rules_are_tried_in_order_and_must_consume_everything() {
        let def =
            "(a) => { struct A; }; (a $x:literal) => { struct B; }; ($($t:tt)*) => { struct C; }";
        assert_eq!(expand(def, "a").unwrap(), "structA;");
        assert_eq!(expand(def, "a -1").unwrap(), "structB;");
        assert_eq!(expand(def, "zz 'a").unwrap(), "structC;");
        assert_eq!(expand("(a) => {}", "b"), Err(Failure::NoRule));
        // `'a` is one token tree, as for rustc.
        let def = "($i:ident<$($t:tt),*>) => { struct $i<$($t),*>; }";
        assert_eq!(expand(def, "S<'a, T>").unwrap(), "structS<'a,T>;");
    }

    #[test]
    fn lifetimes_paths_blocks_patterns_metas_and_items_are_fragments() {
        let def = "(#[$m:meta] $l:lifetime $p:path, $b:block $q:pat_param | $i:item) => { $($m)? }";
        // `$m` is not a sequence: the repetition has nothing to repeat over.
        assert_eq!(
            expand(
                def,
                "#[derive(Debug)] 'a std::vec::Vec<u8>, { 1 } Some(_) | fn f() {}"
            )
            .unwrap(),
            ""
        );
        let def = "($i:item) => { $i }";
        assert_eq!(expand(def, "struct S;").unwrap(), "structS;");
        let def = "($($p:pat),+) => { fn f() { $(let $p = 1;)+ } }";
        assert_eq!(
            expand(def, "a, (b | c)").unwrap(),
            "fnf(){leta=1;let(b|c)=1;}"
        );
    }

    #[test]
    fn separators_may_be_joint_punctuation() {
        let def =
            "($($seg:ident)::+ => $($v:ident)=>*) => { use $($seg)::+; $(const $v: u8 = 0;)* }";
        assert_eq!(
            expand(def, "a::b::C => x => y").unwrap(),
            "usea::b::C;constx:u8=0;consty:u8=0;"
        );
    }

    #[test]
    fn dollar_crate_becomes_crate() {
        assert_eq!(
            expand("() => { use $crate::a::B; }", "").unwrap(),
            "usecrate::a::B;"
        );
    }

    #[test]
    fn dollar_crate_of_another_crate_names_it() {
        let body = "() => { use $crate::a::B; }".parse().unwrap();
        let def = MacroDef::parse(&body, Some("util".into()));
        let out = def.expand(&TokenStream::new(), &mut Budget::new()).unwrap();
        assert_eq!(out.to_string().replace(' ', ""), "use::util::a::B;");
    }

    #[test]
    fn a_definition_that_is_not_rules_fails_cleanly() {
        assert!(matches!(
            expand("(a) struct", "a"),
            Err(Failure::BadDefinition(_))
        ));
        assert!(matches!(
            expand("($x:nonsense) => {}", "a"),
            Err(Failure::BadDefinition(_))
        ));
        assert!(matches!(
            expand("($($x:ident)) => {}", "a"),
            Err(Failure::BadDefinition(_))
        ));
    }

    #[test]
    fn too_many_rules_are_refused() {
        let def: String = (0..MAX_RULES + 5)
            .map(|i| format!("(r{i}) => {{}};"))
            .collect();
        assert_eq!(
            expand(&def, "r0"),
            Err(Failure::TooManyRules(MAX_RULES + 5))
        );
    }

    #[test]
    fn output_and_work_are_bounded() {
        // Each call of the input doubles: 2^40 tokens are never written.
        let def = "() => {}; (x $($t:tt)*) => { m!{$($t)*} m!{$($t)*} }";
        let def = MacroDef::parse(&def.parse().unwrap(), None);
        let mut budget = Budget::new();
        budget.output = 10;
        let call: TokenStream = "x x x x x x x x x x x x".parse().unwrap();
        assert_eq!(
            def.expand(&call, &mut budget).err(),
            Some(Failure::OutputBound)
        );
        let mut budget = Budget::new();
        budget.work = 5;
        assert_eq!(
            def.expand(&call, &mut budget).err(),
            Some(Failure::WorkBound)
        );
    }
}
