//! A few values kept for an isolate's life (imported keys, API keys, what a client id's last
//! login read), by key: putting a key again replaces its value, and past the bound the
//! oldest goes.

use std::borrow::Borrow;

pub struct Kept<K, V> {
    max: usize,
    items: Vec<(K, V)>,
}

impl<K: PartialEq, V: Clone> Kept<K, V> {
    pub const fn new(max: usize) -> Self {
        Kept {
            max,
            items: Vec::new(),
        }
    }

    pub fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: PartialEq + ?Sized,
    {
        self.items
            .iter()
            .find(|(k, _)| k.borrow() == key)
            .map(|(_, v)| v.clone())
    }

    pub fn put(&mut self, key: K, value: V) {
        self.items.retain(|(k, _)| *k != key);
        if self.items.len() >= self.max.max(1) {
            self.items.remove(0);
        }
        self.items.push((key, value));
    }

    pub fn forget<Q>(&mut self, key: &Q)
    where
        K: Borrow<Q>,
        Q: PartialEq + ?Sized,
    {
        self.items.retain(|(k, _)| k.borrow() != key);
    }
}

#[cfg(test)]
mod tests {
    use super::Kept;

    #[test]
    fn test_kept_replaces_a_key_and_drops_the_oldest_past_its_bound() {
        let mut kept = Kept::new(2);
        kept.put("a".to_owned(), 1);
        kept.put("b".to_owned(), 2);
        kept.put("a".to_owned(), 3);
        assert_eq!(kept.get("a"), Some(3));
        kept.put("c".to_owned(), 4);
        assert_eq!(kept.get("b"), None, "the oldest went");
        assert_eq!((kept.get("a"), kept.get("c")), (Some(3), Some(4)));
        kept.forget("a");
        assert_eq!(kept.get("a"), None);
    }
}
