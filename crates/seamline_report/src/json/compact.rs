//! The compact JSON writer: a serde `Serializer` that writes exactly what
//! `serde_json::to_writer` writes, byte for byte, but copies a string that needs no escape in
//! one piece.
//!
//! serde_json looks every byte of every string up in its escape table and writes the runs
//! between escapes one by one; in a large workspace's document (tens of megabytes, most of it
//! ids and paths with nothing to escape) that loop was most of the JSON stage. Here a string
//! is first checked in a loop without early exit (which the compiler turns into wide compares)
//! and then written whole; a string that does need an escape, and every number, is handed to
//! serde_json itself, so escapes and number formats can never drift from it.

use serde::Serialize;
use serde::ser::{self, Impossible};
use std::io::Write;

type Error = serde_json::Error;
type Result<T = ()> = std::result::Result<T, Error>;

/// Writes `value` as compact JSON into `out`, exactly as `serde_json::to_writer` does.
pub(crate) fn to_writer<W: Write, T: Serialize + ?Sized>(out: W, value: &T) -> Result {
    value.serialize(&mut Compact { out })
}

struct Compact<W> {
    out: W,
}

impl<W: Write> Compact<W> {
    fn raw(&mut self, bytes: &[u8]) -> Result {
        self.out.write_all(bytes).map_err(Error::io)
    }

    /// A scalar, formatted by serde_json.
    fn delegate<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        serde_json::to_writer(&mut self.out, value)
    }

    fn string(&mut self, s: &str) -> Result {
        if needs_escape(s.as_bytes()) {
            return self.delegate(s);
        }
        self.raw(b"\"")?;
        self.raw(s.as_bytes())?;
        self.raw(b"\"")
    }
}

/// Whether serde_json would escape any byte of `bytes`: a control character, `"` or `\`.
fn needs_escape(bytes: &[u8]) -> bool {
    // No early exit: the loop stays branch-free and is vectorised, which on short ids and
    // paths is cheaper than stopping at the first hit.
    bytes.iter().fold(false, |acc, &b| {
        acc | (b < 0x20) | (b == b'"') | (b == b'\\')
    })
}

/// A sequence or map being written: whether the next element is the first.
struct Compound<'a, W> {
    ser: &'a mut Compact<W>,
    first: bool,
}

impl<W: Write> Compound<'_, W> {
    fn separator(&mut self) -> Result {
        if self.first {
            self.first = false;
            Ok(())
        } else {
            self.ser.raw(b",")
        }
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result {
        self.separator()?;
        self.ser.string(key)?;
        self.ser.raw(b":")?;
        value.serialize(&mut *self.ser)
    }
}

impl<'a, W: Write> ser::Serializer for &'a mut Compact<W> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'a, W>;
    type SerializeTuple = Compound<'a, W>;
    type SerializeTupleStruct = Compound<'a, W>;
    type SerializeTupleVariant = Compound<'a, W>;
    type SerializeMap = Compound<'a, W>;
    type SerializeStruct = Compound<'a, W>;
    type SerializeStructVariant = Compound<'a, W>;

    fn serialize_bool(self, v: bool) -> Result {
        self.raw(if v { b"true" } else { b"false" })
    }
    fn serialize_i8(self, v: i8) -> Result {
        self.delegate(&v)
    }
    fn serialize_i16(self, v: i16) -> Result {
        self.delegate(&v)
    }
    fn serialize_i32(self, v: i32) -> Result {
        self.delegate(&v)
    }
    fn serialize_i64(self, v: i64) -> Result {
        self.delegate(&v)
    }
    fn serialize_i128(self, v: i128) -> Result {
        self.delegate(&v)
    }
    fn serialize_u8(self, v: u8) -> Result {
        self.delegate(&v)
    }
    fn serialize_u16(self, v: u16) -> Result {
        self.delegate(&v)
    }
    fn serialize_u32(self, v: u32) -> Result {
        self.delegate(&v)
    }
    fn serialize_u64(self, v: u64) -> Result {
        self.delegate(&v)
    }
    fn serialize_u128(self, v: u128) -> Result {
        self.delegate(&v)
    }
    fn serialize_f32(self, v: f32) -> Result {
        self.delegate(&v)
    }
    fn serialize_f64(self, v: f64) -> Result {
        self.delegate(&v)
    }
    fn serialize_char(self, v: char) -> Result {
        self.delegate(&v)
    }
    fn serialize_str(self, v: &str) -> Result {
        self.string(v)
    }
    fn serialize_bytes(self, v: &[u8]) -> Result {
        self.delegate(v)
    }
    fn serialize_none(self) -> Result {
        self.raw(b"null")
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result {
        self.raw(b"null")
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result {
        self.raw(b"null")
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result {
        self.string(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result {
        self.raw(b"{")?;
        self.string(variant)?;
        self.raw(b":")?;
        value.serialize(&mut *self)?;
        self.raw(b"}")
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq> {
        self.raw(b"[")?;
        Ok(Compound {
            ser: self,
            first: true,
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        self.raw(b"{")?;
        self.string(variant)?;
        self.raw(b":[")?;
        Ok(Compound {
            ser: self,
            first: true,
        })
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap> {
        self.raw(b"{")?;
        Ok(Compound {
            ser: self,
            first: true,
        })
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Self::SerializeStruct> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant> {
        self.raw(b"{")?;
        self.string(variant)?;
        self.raw(b":{")?;
        Ok(Compound {
            ser: self,
            first: true,
        })
    }
}

impl<W: Write> ser::SerializeSeq for Compound<'_, W> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.separator()?;
        value.serialize(&mut *self.ser)
    }
    fn end(self) -> Result {
        self.ser.raw(b"]")
    }
}

impl<W: Write> ser::SerializeTuple for Compound<'_, W> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result {
        ser::SerializeSeq::end(self)
    }
}

impl<W: Write> ser::SerializeTupleStruct for Compound<'_, W> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result {
        ser::SerializeSeq::end(self)
    }
}

impl<W: Write> ser::SerializeTupleVariant for Compound<'_, W> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result {
        self.ser.raw(b"]}")
    }
}

impl<W: Write> ser::SerializeMap for Compound<'_, W> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result {
        self.separator()?;
        key.serialize(MapKey {
            ser: &mut *self.ser,
        })
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.ser.raw(b":")?;
        value.serialize(&mut *self.ser)
    }
    fn end(self) -> Result {
        self.ser.raw(b"}")
    }
}

impl<W: Write> ser::SerializeStruct for Compound<'_, W> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        self.field(key, value)
    }
    fn end(self) -> Result {
        self.ser.raw(b"}")
    }
}

impl<W: Write> ser::SerializeStructVariant for Compound<'_, W> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        self.field(key, value)
    }
    fn end(self) -> Result {
        self.ser.raw(b"}}")
    }
}

/// A map key: strings as they are, integers and characters quoted, anything else refused,
/// as serde_json does.
struct MapKey<'a, W> {
    ser: &'a mut Compact<W>,
}

impl<W: Write> MapKey<'_, W> {
    fn quoted(self, text: String) -> Result {
        self.ser.string(&text)
    }
}

fn key_must_be_a_string() -> Error {
    ser::Error::custom("key must be a string")
}

impl<W: Write> ser::Serializer for MapKey<'_, W> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Impossible<(), Error>;
    type SerializeTuple = Impossible<(), Error>;
    type SerializeTupleStruct = Impossible<(), Error>;
    type SerializeTupleVariant = Impossible<(), Error>;
    type SerializeMap = Impossible<(), Error>;
    type SerializeStruct = Impossible<(), Error>;
    type SerializeStructVariant = Impossible<(), Error>;

    fn serialize_str(self, v: &str) -> Result {
        self.ser.string(v)
    }
    fn serialize_char(self, v: char) -> Result {
        self.quoted(v.to_string())
    }
    fn serialize_bool(self, v: bool) -> Result {
        self.quoted(v.to_string())
    }
    fn serialize_i8(self, v: i8) -> Result {
        self.quoted(v.to_string())
    }
    fn serialize_i16(self, v: i16) -> Result {
        self.quoted(v.to_string())
    }
    fn serialize_i32(self, v: i32) -> Result {
        self.quoted(v.to_string())
    }
    fn serialize_i64(self, v: i64) -> Result {
        self.quoted(v.to_string())
    }
    fn serialize_i128(self, v: i128) -> Result {
        self.quoted(v.to_string())
    }
    fn serialize_u8(self, v: u8) -> Result {
        self.quoted(v.to_string())
    }
    fn serialize_u16(self, v: u16) -> Result {
        self.quoted(v.to_string())
    }
    fn serialize_u32(self, v: u32) -> Result {
        self.quoted(v.to_string())
    }
    fn serialize_u64(self, v: u64) -> Result {
        self.quoted(v.to_string())
    }
    fn serialize_u128(self, v: u128) -> Result {
        self.quoted(v.to_string())
    }
    fn serialize_f32(self, _v: f32) -> Result {
        Err(key_must_be_a_string())
    }
    fn serialize_f64(self, _v: f64) -> Result {
        Err(key_must_be_a_string())
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result {
        Err(key_must_be_a_string())
    }
    fn serialize_none(self) -> Result {
        Err(key_must_be_a_string())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result {
        Err(key_must_be_a_string())
    }
    fn serialize_unit(self) -> Result {
        Err(key_must_be_a_string())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result {
        Err(key_must_be_a_string())
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result {
        self.ser.string(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result {
        Err(key_must_be_a_string())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(key_must_be_a_string())
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap> {
        Err(key_must_be_a_string())
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self::SerializeStruct> {
        Err(key_must_be_a_string())
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(key_must_be_a_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[derive(Serialize)]
    enum Shape {
        Unit,
        Newtype(u32),
        Tuple(i8, String),
        Struct { side: f64 },
    }

    #[derive(Serialize)]
    struct Unit;

    #[derive(Serialize)]
    struct Wrapper(&'static str);

    #[derive(Serialize)]
    struct Everything {
        strings: Vec<String>,
        ints: (i8, i16, i32, i64, i128, u8, u16, u32, u64, u128),
        floats: Vec<f64>,
        small: f32,
        flags: [bool; 2],
        letters: Vec<char>,
        none: Option<u32>,
        some: Option<&'static str>,
        unit: (),
        unit_struct: Unit,
        wrapper: Wrapper,
        shapes: Vec<Shape>,
        by_name: BTreeMap<&'static str, u32>,
        by_number: BTreeMap<u64, &'static str>,
        by_char: BTreeMap<char, bool>,
        nested: Vec<Vec<BTreeMap<String, Option<Vec<u8>>>>>,
        empty_seq: Vec<u32>,
        empty_map: BTreeMap<String, u32>,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<u32>,
    }

    fn ours<T: Serialize>(value: &T) -> String {
        let mut out = Vec::new();
        to_writer(&mut out, value).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn every_kind_of_value_is_written_as_serde_json_writes_it() {
        let mut nested_map = BTreeMap::new();
        nested_map.insert("a\"b".to_owned(), Some(vec![1, 2]));
        nested_map.insert(String::new(), None);
        let value = Everything {
            strings: [
                "",
                "plain ascii path::to::Item",
                "quote \" backslash \\ slash /",
                "controls \u{0} \u{1f} \n \r \t \u{8} \u{c} and delete \u{7f}",
                "unicode é 漢字 🦀 and \u{2028} separators \u{202e}",
                "a string long enough to cross several wide compares, with a \" near its end",
            ]
            .map(String::from)
            .to_vec(),
            ints: (
                -8,
                -16,
                -32,
                i64::MIN,
                i128::MIN,
                8,
                16,
                32,
                u64::MAX,
                u128::MAX,
            ),
            floats: vec![
                0.0,
                -0.0,
                1.5,
                0.1 + 0.2,
                1e300,
                1e-300,
                f64::NAN,
                f64::INFINITY,
            ],
            small: 0.3,
            flags: [true, false],
            letters: vec!['a', '"', '\n', '漢'],
            none: None,
            some: Some("x"),
            unit: (),
            unit_struct: Unit,
            wrapper: Wrapper("w\\"),
            shapes: vec![
                Shape::Unit,
                Shape::Newtype(7),
                Shape::Tuple(-1, "t\t".to_owned()),
                Shape::Struct { side: 2.25 },
            ],
            by_name: [("b", 2), ("a\n", 1)].into_iter().collect(),
            by_number: [(10, "ten"), (2, "two")].into_iter().collect(),
            by_char: [('z', true), ('"', false)].into_iter().collect(),
            nested: vec![vec![nested_map, BTreeMap::new()], Vec::new()],
            empty_seq: Vec::new(),
            empty_map: BTreeMap::new(),
            skipped: None,
        };
        let expected = serde_json::to_string(&value).unwrap();
        assert_eq!(ours(&value), expected);
        // The cases the fast path must not take are in the document.
        assert!(
            expected.contains(r#""quote \" backslash \\ slash /""#),
            "{expected}"
        );
        assert!(expected.contains(r"\u0000"), "{expected}");
    }

    #[test]
    fn only_controls_quotes_and_backslashes_need_an_escape() {
        for b in 0u8..=127 {
            let s = (b as char).to_string();
            let escaped = serde_json::to_string(&s).unwrap() != format!("\"{s}\"");
            assert_eq!(needs_escape(s.as_bytes()), escaped, "byte {b}");
        }
        assert!(!needs_escape("é 漢字 🦀".as_bytes()));
    }

    #[test]
    fn a_key_that_is_no_string_is_refused_as_serde_json_refuses_it() {
        let by_float: BTreeMap<Vec<u8>, u32> = [(vec![1], 1)].into_iter().collect();
        let mut out = Vec::new();
        assert!(to_writer(&mut out, &by_float).is_err());
        assert!(serde_json::to_string(&by_float).is_err());
    }
}
