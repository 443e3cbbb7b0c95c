//! Controls bound to a report configuration under edit: a text box bound to a
//! [`Part`](crate::view::editor::Part) (typed text that parses into the configuration, or
//! stays the control's own problem until it does), a checkbox, and a select over a table of
//! [`Choices`]. Every section of the report editor builds its controls from these.
//!
//! The key decision: [`Form`] is signals only (Copy), and what a control edits is data (the
//! part's path, getter, parser and setter, tested natively in `view/editor.rs`); only the
//! closure that applies a part depends on its value type, so each control's markup is
//! compiled once.

use std::collections::BTreeMap;

use config::ReportConfig;
use leptos::prelude::*;

use super::{Field, Shape, checkbox, select_field, text_box};
use crate::view::editor::{Choices, Part};
use crate::view::errors::FieldErrors;

/// Applies a control's text to the configuration; `Some(problem)` when it does not parse.
type Apply = Box<dyn Fn(&str) -> Option<String>>;

/// The state every control of the form shares. Copy: signals only.
#[derive(Debug, Clone, Copy)]
pub struct Form {
    pub config: RwSignal<ReportConfig>,
    /// Problems from the worker's check or the server, by JSON path.
    pub problems: RwSignal<FieldErrors>,
    /// Text that does not parse yet, by control; saving waits until it does.
    pub local: RwSignal<BTreeMap<&'static str, String>>,
}

impl Form {
    pub fn new(config: ReportConfig) -> Self {
        Form {
            config: RwSignal::new(config),
            problems: RwSignal::new(FieldErrors::default()),
            local: RwSignal::new(BTreeMap::new()),
        }
    }

    /// Replaces the whole configuration, forgetting text that did not parse.
    pub fn replace(self, config: ReportConfig) {
        self.config.set(config);
        self.local.set(BTreeMap::new());
    }

    /// Whether every control's text reads as a value.
    pub fn all_read(self) -> bool {
        self.local.with_untracked(BTreeMap::is_empty)
    }

    fn problems_at(self, path: &'static str, key: &'static str) -> Signal<Vec<String>> {
        Signal::derive(move || {
            let mut out: Vec<String> = self
                .local
                .with(|l| l.get(key).cloned())
                .into_iter()
                .collect();
            out.extend(self.problems.with(|p| p.under(path)));
            out
        })
    }

    fn set_local(self, key: &'static str, error: Option<String>) {
        self.local.update(|l| match error {
            Some(e) => {
                l.insert(key, e);
            }
            None => {
                l.remove(key);
            }
        });
    }

    /// A text control whose value parses into `part` of the configuration.
    pub fn text<T: 'static>(
        self,
        label: &'static str,
        hint: Option<&'static str>,
        part: Part<T>,
        rows: u32,
    ) -> AnyView {
        let Part {
            path,
            get,
            parse,
            set,
        } = part;
        // Only this closure depends on `T`; the control itself is compiled once.
        let apply: Apply = Box::new(move |text| match parse(text) {
            Ok(v) => {
                self.config.update(|c| set(c, v));
                None
            }
            Err(e) => Some(e),
        });
        self.text_control(label, hint, path, get, apply, rows)
    }

    fn text_control(
        self,
        label: &'static str,
        hint: Option<&'static str>,
        path: &'static str,
        get: fn(&ReportConfig) -> String,
        apply: Apply,
        rows: u32,
    ) -> AnyView {
        let text = RwSignal::new(self.config.with_untracked(get));
        let apply = StoredValue::new_local(apply);
        let on_input = move |value: String| {
            text.set(value.clone());
            let error = apply.with_value(|f| f(&value));
            self.set_local(path, error);
        };
        view! {
            <Field
                label=label
                hint=hint.map(str::to_string).unwrap_or_default()
                problems=self.problems_at(path, path)
                control=move |id, described| {
                    text_box(id, described, Shape::area(rows), text.into(), on_input)
                }
            />
        }
        .into_any()
    }

    pub fn checkbox(
        self,
        label: &'static str,
        get: fn(&ReportConfig) -> bool,
        set: fn(&mut ReportConfig, bool),
    ) -> impl IntoView {
        view! {
            <div class="field field-check">
                {checkbox(
                    "check",
                    label,
                    move || self.config.with(get),
                    move |on| self.config.update(|c| set(c, on)),
                )}
            </div>
        }
    }

    /// A select over `choices`: the option of `get`'s value is selected when the control is
    /// built (the editor rebuilds its controls when the whole configuration is replaced), and
    /// picking one applies `set`.
    pub fn select<V: Copy + PartialEq + 'static>(
        self,
        label: &'static str,
        choices: &'static Choices<V>,
        get: fn(&ReportConfig) -> Option<V>,
        set: fn(&mut ReportConfig, V),
    ) -> AnyView {
        let current = self.config.with_untracked(get);
        let on_change = move |v: String| {
            if let Some((value, ..)) = choices.iter().find(|(_, s, _)| *s == v) {
                self.config.update(|c| set(c, *value));
            }
        };
        let options = choices
            .iter()
            .map(|(value, slug, label)| {
                view! {
                    <option value=*slug selected=current == Some(*value)>
                        {*label}
                    </option>
                }
            })
            .collect_view();
        select_field("select", label, None, on_change, options).into_any()
    }
}
