//! Lookups every document makes per unit, built once per report: the schools of each county
//! and zone, and the rectification items and orders of each unit. Without them each county's
//! document scanned every school and every item, which is quadratic in the size of the round
//! (at national scale, 2 800 counties × 196 000 schools).

use std::collections::HashMap;

use super::UnitReport;
use super::rectification::{Item, Order};

/// The schools (indices into the school level) of each county and zone, in dataset order.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Members {
    county: HashMap<usize, Vec<usize>>,
    zone: HashMap<usize, Vec<usize>>,
}

impl Members {
    pub(crate) fn of(schools: &[UnitReport]) -> Members {
        let mut members = Members::default();
        for (index, school) in schools.iter().enumerate() {
            if let Some(county) = school.county {
                members.county.entry(county).or_default().push(index);
            }
            if let Some(zone) = school.zone {
                members.zone.entry(zone).or_default().push(index);
            }
        }
        members
    }

    /// The schools of county `county`.
    pub(crate) fn of_county(&self, county: usize) -> &[usize] {
        self.county.get(&county).map_or(&[], Vec::as_slice)
    }

    /// The schools of zone `zone`.
    pub(crate) fn of_zone(&self, zone: usize) -> &[usize] {
        self.zone.get(&zone).map_or(&[], Vec::as_slice)
    }
}

/// The rectification items (indices into the list) by id, by responsible unit and by
/// supervising county, and the orders (indices) that cover each item.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Items {
    by_id: HashMap<String, usize>,
    own: HashMap<String, Vec<usize>>,
    supervised: HashMap<String, Vec<usize>>,
    orders: HashMap<String, Vec<usize>>,
}

impl Items {
    pub(crate) fn of(items: &[Item], orders: &[Order]) -> Items {
        let mut index = Items::default();
        for (at, item) in items.iter().enumerate() {
            index.by_id.entry(item.id.clone()).or_insert(at);
            index.own.entry(item.unit_id.clone()).or_default().push(at);
            if let Some(supervisor) = &item.supervisor_id {
                index.supervised.entry(supervisor.clone()).or_default().push(at);
            }
        }
        for (at, order) in orders.iter().enumerate() {
            for item in &order.items {
                index.orders.entry(item.clone()).or_default().push(at);
            }
        }
        index
    }

    /// The item with this id.
    pub(crate) fn position(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    /// Items whose responsible unit is `unit`.
    pub(crate) fn own(&self, unit: &str) -> &[usize] {
        self.own.get(unit).map_or(&[], Vec::as_slice)
    }

    /// Items supervised by county `county`.
    pub(crate) fn supervised(&self, county: &str) -> &[usize] {
        self.supervised.get(county).map_or(&[], Vec::as_slice)
    }

    /// The orders covering the item with this id.
    pub(crate) fn orders(&self, item: &str) -> &[usize] {
        self.orders.get(item).map_or(&[], Vec::as_slice)
    }
}

/// `lists` merged into one ascending list without repeats.
pub(crate) fn merged<'a>(lists: impl IntoIterator<Item = &'a [usize]>) -> Vec<usize> {
    let mut all: Vec<usize> = lists.into_iter().flatten().copied().collect();
    all.sort_unstable();
    all.dedup();
    all
}
