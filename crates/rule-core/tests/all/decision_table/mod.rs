//! One test per row of the decision table in docs/design.md, plus its variants, by row.

mod planning;
mod row_10;
mod row_11;
mod row_12_and_unverifiable;
mod row_9;
mod rows_1_to_3;
mod rows_4_and_5;
mod rows_6_to_8;
