//! Long lists are shown a page at a time: a national organisation has thousands of counties
//! and about 200 000 schools, which no page can list whole. A list's page comes from the query
//! string (`?page=3`, or `?school_page=3` where a page has several lists), is clamped to the
//! pages there are, and is read from the database with `LIMIT`/`OFFSET`; the page, the number
//! of pages and the total are in the page's JSON too.

use std::collections::HashMap;

use serde_json::{Value, json};

/// Rows per page.
pub const PAGE_SIZE: i64 = 100;

/// The highest page number a query may ask for (higher ones are read as this one), so that no
/// offset overflows: far more pages than any list has.
pub const MAX_PAGE: i64 = 1 << 40;

/// One page of a list of `total` rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// The page, from 1.
    pub number: i64,
    /// Rows in the whole list.
    pub total: i64,
}

impl Page {
    /// The page asked for by the query parameter `param` (1 when absent or not a number),
    /// clamped to the pages of a list of `total` rows.
    pub fn of(query: &HashMap<String, String>, param: &str, total: i64) -> Page {
        Page { number: Page::asked(query, param).min(Page::count(total)), total }
    }

    /// The page number the query parameter `param` asks for, before the list's length is
    /// known: 1 when absent or not a number, at least 1 and at most [`MAX_PAGE`].
    pub fn asked(query: &HashMap<String, String>, param: &str) -> i64 {
        query.get(param).and_then(|value| value.trim().parse::<i64>().ok()).unwrap_or(1).clamp(1, MAX_PAGE)
    }

    /// The SQL that reads page `number` (after `ORDER BY`).
    pub fn sql_of(number: i64) -> String {
        format!("LIMIT {PAGE_SIZE} OFFSET {}", (number - 1) * PAGE_SIZE)
    }

    /// Pages of a list of `total` rows (at least one, so that an empty list has page 1).
    fn count(total: i64) -> i64 {
        ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1)
    }

    /// The SQL that reads this page (after `ORDER BY`).
    pub fn sql(&self) -> String {
        Page::sql_of(self.number)
    }

    /// The page for the templates and the JSON: its number, the pages, the total, the first
    /// and last row shown (from 1), and the parameter that turns the page.
    pub fn json(&self, param: &str) -> Value {
        let first = (self.number - 1) * PAGE_SIZE + 1;
        let last = (self.number * PAGE_SIZE).min(self.total);
        json!({
            "number": self.number,
            "pages": Page::count(self.total),
            "total": self.total,
            "size": PAGE_SIZE,
            "first": first.min(self.total),
            "last": last,
            "param": param,
            "previous": (self.number > 1).then_some(self.number - 1),
            "next": (self.number < Page::count(self.total)).then_some(self.number + 1),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(value: &str) -> HashMap<String, String> {
        HashMap::from([("page".to_owned(), value.to_owned())])
    }

    #[test]
    fn pages_are_clamped_to_the_list_and_read_with_limit_and_offset() {
        assert_eq!(Page::of(&HashMap::new(), "page", 250), Page { number: 1, total: 250 });
        assert_eq!(Page::of(&query("3"), "page", 250).sql(), "LIMIT 100 OFFSET 200");
        assert_eq!(Page::of(&query("9"), "page", 250).number, 3);
        assert_eq!(Page::of(&query("-2"), "page", 250).number, 1);
        assert_eq!(Page::of(&query("二"), "page", 250).number, 1);
        assert_eq!(Page::of(&query("5"), "page", 0), Page { number: 1, total: 0 });
        assert_eq!(Page::asked(&query("9"), "page"), 9);
        assert_eq!(Page::asked(&query("0"), "page"), 1);
        assert_eq!(
            Page::sql_of(Page::asked(&query("9223372036854775807"), "page")),
            "LIMIT 100 OFFSET 109951162777500"
        );
        let last = Page::of(&query("3"), "page", 250).json("page");
        assert_eq!(
            (last["first"].as_i64(), last["last"].as_i64(), last["pages"].as_i64()),
            (Some(201), Some(250), Some(3))
        );
        assert_eq!((last["previous"].as_i64(), last["next"].as_i64()), (Some(2), None));
    }
}
