//! Data parallelism in one place. Natively, independent pieces of work (the automatic choice's
//! candidates at each k, the stability refits, a k-prototypes fit's starts) run side by side on
//! rayon's work-stealing pool, sized to the machine's cores (`RAYON_NUM_THREADS` sets it); in the
//! page's wasm they run one after the other. Every piece is seeded on its own and the results come
//! back in the items' order, so the answer is the one a single thread gives, whatever the cores.

/// `f` of every item, in the items' order.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        use rayon::prelude::*;
        items.par_iter().map(f).collect()
    }
    #[cfg(target_arch = "wasm32")]
    {
        items.iter().map(f).collect()
    }
}

/// `f` of every item, taken by value, in the items' order.
pub fn map_owned<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync + Send) -> Vec<R> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        use rayon::prelude::*;
        items.into_par_iter().map(f).collect()
    }
    #[cfg(target_arch = "wasm32")]
    {
        items.into_iter().map(f).collect()
    }
}

/// `a` and `b`, side by side natively.
pub fn join<A: Send, B: Send>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B + Send) -> (A, B) {
    #[cfg(not(target_arch = "wasm32"))]
    {
        rayon::join(a, b)
    }
    #[cfg(target_arch = "wasm32")]
    {
        (a(), b())
    }
}

/// [`map`], calling `done` with each item's index as it finishes (on the calling thread, in the order
/// they finish), so a long batch can report its progress. Called from within the pool (a piece of
/// work that is itself side by side), it reports each item once all are done.
pub fn map_reporting<T: Sync, R: Send>(
    items: &[T],
    f: impl Fn(&T) -> R + Sync + Send,
    done: &mut dyn FnMut(usize),
) -> Vec<R> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        if rayon::current_thread_index().is_some() {
            let out = map(items, f);
            (0..out.len()).for_each(&mut *done);
            return out;
        }
        let mut out: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items.len()).collect();
        let (sender, finished) = std::sync::mpsc::channel();
        let f = &f;
        rayon::in_place_scope(|scope| {
            for (i, item) in items.iter().enumerate() {
                let sender = sender.clone();
                scope.spawn(move |_| {
                    let _ = sender.send((i, f(item)));
                });
            }
            drop(sender);
            // This thread is not one of the pool's: it waits for the pieces and reports them.
            for (i, r) in finished {
                out[i] = Some(r);
                done(i);
            }
        });
        out.into_iter().flatten().collect()
    }
    #[cfg(target_arch = "wasm32")]
    {
        items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let r = f(item);
                done(i);
                r
            })
            .collect()
    }
}
