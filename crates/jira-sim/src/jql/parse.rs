//! The JQL lexer and recursive-descent parser: text in, a syntax tree out, or Jira's syntax
//! error message with its line and character.

use std::fmt;

/// A parsed query: an optional condition and the sort keys.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub clause: Option<Clause>,
    pub order_by: Vec<SortKey>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Clause {
    And(Box<Clause>, Box<Clause>),
    Or(Box<Clause>, Box<Clause>),
    Not(Box<Clause>),
    Term(Term),
}

/// `field op operand`, with the field name as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    pub field: String,
    pub op: Op,
    pub operand: Operand,
    /// 1-based character of the field, for messages.
    pub at: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Like,
    NotLike,
    In,
    NotIn,
    Is,
    IsNot,
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Like => "~",
            Op::NotLike => "!~",
            Op::In => "in",
            Op::NotIn => "not in",
            Op::Is => "is",
            Op::IsNot => "is not",
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Value(Value),
    List(Vec<Value>),
    Empty,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A word or a quoted string.
    Text(String),
    /// `name(args)`.
    Function(String, Vec<String>),
    /// `EMPTY`/`NULL` inside a list.
    Empty,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SortKey {
    pub field: String,
    pub descending: Option<bool>,
    pub at: usize,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    LParen,
    RParen,
    Comma,
    Op(&'static str),
}

#[derive(Debug, Clone, PartialEq)]
struct Token {
    tok: Tok,
    at: usize,
}

/// The error for `t` inside parentheses where `expected` was due: the end of the query
/// (`None`) leaves them unclosed.
fn unclosed(t: Option<Token>, expected: &str) -> String {
    match t {
        None => syntax("Expecting ')' before the end of the query.".into(), None),
        Some(t) => syntax(
            format!("Expecting {expected} but got {}.", describe(Some(&t))),
            Some(t.at),
        ),
    }
}

fn describe(t: Option<&Token>) -> String {
    match t.map(|t| &t.tok) {
        None => "end of query".into(),
        Some(Tok::Word(w)) => format!("'{w}'"),
        Some(Tok::Str(s)) => format!("'{s}'"),
        Some(Tok::LParen) => "'('".into(),
        Some(Tok::RParen) => "')'".into(),
        Some(Tok::Comma) => "','".into(),
        Some(Tok::Op(o)) => format!("'{o}'"),
    }
}

fn syntax(message: String, at: Option<usize>) -> String {
    match at {
        Some(at) => format!("Error in the JQL Query: {message} (line 1, character {at})"),
        None => format!("Error in the JQL Query: {message}"),
    }
}

const OPERATORS: &str = "The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'.";

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
        || matches!(
            c,
            '_' | '-' | '.' | '/' | ':' | '@' | '+' | '*' | '[' | ']' | '$' | '#'
        )
}

fn lex(text: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let at = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
        let op = match two.as_str() {
            "!=" => Some("!="),
            "<=" => Some("<="),
            ">=" => Some(">="),
            "!~" => Some("!~"),
            "&&" => Some("&&"),
            "||" => Some("||"),
            _ => None,
        };
        if let Some(op) = op {
            out.push(Token {
                tok: Tok::Op(op),
                at,
            });
            i += 2;
            continue;
        }
        let single = match c {
            '(' => Some(Tok::LParen),
            ')' => Some(Tok::RParen),
            ',' => Some(Tok::Comma),
            '=' => Some(Tok::Op("=")),
            '<' => Some(Tok::Op("<")),
            '>' => Some(Tok::Op(">")),
            '~' => Some(Tok::Op("~")),
            '!' => Some(Tok::Op("!")),
            '&' => Some(Tok::Op("&&")),
            '|' => Some(Tok::Op("||")),
            _ => None,
        };
        if let Some(tok) = single {
            out.push(Token { tok, at });
            i += 1;
            continue;
        }
        if c == '"' || c == '\'' {
            let mut s = String::new();
            let mut j = i + 1;
            let mut closed = false;
            while j < chars.len() {
                match chars[j] {
                    '\\' if j + 1 < chars.len() => {
                        s.push(chars[j + 1]);
                        j += 2;
                    }
                    q if q == c => {
                        closed = true;
                        j += 1;
                        break;
                    }
                    other => {
                        s.push(other);
                        j += 1;
                    }
                }
            }
            if !closed {
                return Err(syntax(
                    format!("The quoted string '{s}' has not been completed."),
                    Some(at),
                ));
            }
            out.push(Token {
                tok: Tok::Str(s),
                at,
            });
            i = j;
            continue;
        }
        if is_word_char(c) {
            let mut j = i;
            while j < chars.len() && is_word_char(chars[j]) {
                j += 1;
            }
            out.push(Token {
                tok: Tok::Word(chars[i..j].iter().collect()),
                at,
            });
            i = j;
            continue;
        }
        return Err(syntax(
            format!(
                "The character '{c}' is a reserved JQL character. You must enclose it in a string or use the escape '\\u{:04x}' instead.",
                c as u32
            ),
            Some(at),
        ));
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Token>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.toks.get(self.pos)
    }

    fn peek_word(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Token { tok: Tok::Word(w), .. }) if w.eq_ignore_ascii_case(kw))
    }

    fn peek_word_at(&self, offset: usize, kw: &str) -> bool {
        matches!(self.toks.get(self.pos + offset), Some(Token { tok: Tok::Word(w), .. }) if w.eq_ignore_ascii_case(kw))
    }

    fn peek_op(&self, op: &str) -> bool {
        matches!(self.peek(), Some(Token { tok: Tok::Op(o), .. }) if *o == op)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn at(&self) -> Option<usize> {
        self.peek().map(|t| t.at)
    }

    fn or(&mut self) -> Result<Clause, String> {
        self.chain(("or", "||"), Self::and, Clause::Or)
    }

    fn and(&mut self) -> Result<Clause, String> {
        self.chain(("and", "&&"), Self::not, Clause::And)
    }

    /// `operand`s joined, left to right, by the keyword or operator `joiner` names.
    fn chain(
        &mut self,
        (word, op): (&str, &str),
        operand: fn(&mut Self) -> Result<Clause, String>,
        join: fn(Box<Clause>, Box<Clause>) -> Clause,
    ) -> Result<Clause, String> {
        let mut left = operand(self)?;
        while self.peek_word(word) || self.peek_op(op) {
            self.pos += 1;
            let right = operand(self)?;
            left = join(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Clause, String> {
        if self.peek_word("not") || self.peek_op("!") {
            self.pos += 1;
            return Ok(Clause::Not(Box::new(self.not()?)));
        }
        if matches!(
            self.peek(),
            Some(Token {
                tok: Tok::LParen,
                ..
            })
        ) {
            self.pos += 1;
            let inner = self.or()?;
            match self.next() {
                Some(Token {
                    tok: Tok::RParen, ..
                }) => return Ok(inner),
                t => return Err(unclosed(t, "')'")),
            }
        }
        self.term()
    }

    /// The next token as a field name (a word that is not reserved, or a quoted string) and
    /// where it stands; else that token, `None` at the end of the query.
    fn field_name(&mut self) -> Result<(String, usize), Option<Token>> {
        match self.next() {
            Some(Token {
                tok: Tok::Word(w),
                at,
            }) if !is_reserved(&w) => Ok((w, at)),
            Some(Token {
                tok: Tok::Str(s),
                at,
            }) => Ok((s, at)),
            t => Err(t),
        }
    }

    fn term(&mut self) -> Result<Clause, String> {
        let (field, at) = self.field_name().map_err(|t| match t {
            None => syntax(
                "Expecting a field name at the end of the query.".into(),
                None,
            ),
            Some(t) => syntax(
                format!("Expecting a field name but got {}.", describe(Some(&t))),
                Some(t.at),
            ),
        })?;
        let op = self.operator()?;
        let operand = self.operand(op)?;
        Ok(Clause::Term(Term {
            field,
            op,
            operand,
            at,
        }))
    }

    fn operator(&mut self) -> Result<Op, String> {
        let t = self.peek().cloned();
        let op = match t.as_ref().map(|t| &t.tok) {
            Some(Tok::Op(o)) => match *o {
                "=" => Op::Eq,
                "!=" => Op::Ne,
                "<" => Op::Lt,
                "<=" => Op::Le,
                ">" => Op::Gt,
                ">=" => Op::Ge,
                "~" => Op::Like,
                "!~" => Op::NotLike,
                _ => return Err(self.expected_operator(t.as_ref())),
            },
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("in") => Op::In,
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("not") && self.peek_word_at(1, "in") => {
                self.pos += 1;
                Op::NotIn
            }
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("is") => {
                if self.peek_word_at(1, "not") {
                    self.pos += 1;
                    Op::IsNot
                } else {
                    Op::Is
                }
            }
            _ => return Err(self.expected_operator(t.as_ref())),
        };
        self.pos += 1;
        Ok(op)
    }

    fn expected_operator(&self, t: Option<&Token>) -> String {
        match t {
            None => syntax(
                format!("Expecting operator before the end of the query. {OPERATORS}"),
                None,
            ),
            Some(t) => syntax(
                format!(
                    "Expecting operator but got {}. {OPERATORS}",
                    describe(Some(t))
                ),
                Some(t.at),
            ),
        }
    }

    fn operand(&mut self, op: Op) -> Result<Operand, String> {
        if matches!(op, Op::Is | Op::IsNot) {
            return match self.next() {
                Some(Token {
                    tok: Tok::Word(w), ..
                }) if w.eq_ignore_ascii_case("empty") || w.eq_ignore_ascii_case("null") => {
                    Ok(Operand::Empty)
                }
                t => Err(syntax(
                    format!(
                        "Expecting 'EMPTY' or 'NULL' but got {}.",
                        describe(t.as_ref())
                    ),
                    t.map(|t| t.at),
                )),
            };
        }
        if matches!(
            self.peek(),
            Some(Token {
                tok: Tok::LParen,
                ..
            })
        ) {
            let open = self.at();
            self.pos += 1;
            let mut values = Vec::new();
            loop {
                values.push(self.value(true)?);
                match self.next() {
                    Some(Token {
                        tok: Tok::Comma, ..
                    }) => continue,
                    Some(Token {
                        tok: Tok::RParen, ..
                    }) => break,
                    t => return Err(unclosed(t, "',' or ')'")),
                }
            }
            let _ = open;
            return Ok(Operand::List(values));
        }
        match self.value(false)? {
            Value::Empty => Ok(Operand::Empty),
            v => Ok(Operand::Value(v)),
        }
    }

    fn value(&mut self, in_list: bool) -> Result<Value, String> {
        match self.next() {
            Some(Token {
                tok: Tok::Str(s), ..
            }) => Ok(Value::Text(s)),
            Some(Token {
                tok: Tok::Word(w),
                at,
            }) => {
                if w.eq_ignore_ascii_case("empty") || w.eq_ignore_ascii_case("null") {
                    return Ok(Value::Empty);
                }
                if is_reserved(&w) {
                    return Err(syntax(
                        format!(
                            "Expecting either a value, list or function but got '{w}'. You must surround '{w}' in quotation marks to use it as a value."
                        ),
                        Some(at),
                    ));
                }
                if matches!(
                    self.peek(),
                    Some(Token {
                        tok: Tok::LParen,
                        ..
                    })
                ) {
                    self.pos += 1;
                    let mut args = Vec::new();
                    loop {
                        match self.next() {
                            Some(Token {
                                tok: Tok::RParen, ..
                            }) => break,
                            Some(Token {
                                tok: Tok::Word(a) | Tok::Str(a),
                                ..
                            }) => {
                                args.push(a);
                                if matches!(
                                    self.peek(),
                                    Some(Token {
                                        tok: Tok::Comma,
                                        ..
                                    })
                                ) {
                                    self.pos += 1;
                                }
                            }
                            t => {
                                return Err(syntax(
                                    format!("Expecting ')' but got {}.", describe(t.as_ref())),
                                    t.map(|t| t.at),
                                ));
                            }
                        }
                    }
                    return Ok(Value::Function(w, args));
                }
                Ok(Value::Text(w))
            }
            t => Err(syntax(
                if t.is_none() {
                    "Expecting either a value, list or function before the end of the query."
                        .to_string()
                } else if in_list {
                    format!("Expecting a value but got {}.", describe(t.as_ref()))
                } else {
                    format!(
                        "Expecting either a value, list or function but got {}.",
                        describe(t.as_ref())
                    )
                },
                t.map(|t| t.at),
            )),
        }
    }

    fn order_by(&mut self) -> Result<Vec<SortKey>, String> {
        let mut keys = Vec::new();
        loop {
            let (field, at) = self.field_name().map_err(|t| {
                syntax(
                    format!("Expecting a field name but got {}.", describe(t.as_ref())),
                    t.map(|t| t.at),
                )
            })?;
            let descending = if self.peek_word("asc") {
                self.pos += 1;
                Some(false)
            } else if self.peek_word("desc") {
                self.pos += 1;
                Some(true)
            } else {
                None
            };
            keys.push(SortKey {
                field,
                descending,
                at,
            });
            if matches!(
                self.peek(),
                Some(Token {
                    tok: Tok::Comma,
                    ..
                })
            ) {
                self.pos += 1;
                continue;
            }
            return Ok(keys);
        }
    }
}

fn is_reserved(w: &str) -> bool {
    [
        "and", "or", "not", "in", "is", "order", "by", "empty", "null",
    ]
    .iter()
    .any(|k| w.eq_ignore_ascii_case(k))
}

/// Parses `text`, or returns Jira's syntax error message.
pub fn parse(text: &str) -> Result<Query, String> {
    let toks = lex(text)?;
    let mut p = Parser { toks, pos: 0 };
    let clause = if p.peek().is_none() || (p.peek_word("order") && p.peek_word_at(1, "by")) {
        None
    } else {
        Some(p.or()?)
    };
    let mut order_by = Vec::new();
    if p.peek_word("order") {
        if !p.peek_word_at(1, "by") {
            let t = p.toks.get(p.pos + 1).cloned();
            return Err(syntax(
                format!("Expecting 'by' but got {}.", describe(t.as_ref())),
                t.map(|t| t.at),
            ));
        }
        p.pos += 2;
        order_by = p.order_by()?;
    }
    if let Some(t) = p.peek().cloned() {
        return Err(syntax(
            format!(
                "Expecting either 'OR' or 'AND' but got {}.",
                describe(Some(&t))
            ),
            Some(t.at),
        ));
    }
    Ok(Query { clause, order_by })
}
