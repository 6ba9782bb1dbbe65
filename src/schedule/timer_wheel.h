// A hashed timer wheel: O(1) insert, and each tick looks only at one slot.
// Items due further ahead than one revolution stay in their slot and are
// passed over until their time comes, so any delay is allowed.
//
// Not thread-safe: owned by one scheduler thread.
#pragma once

#include <cstdint>
#include <vector>

#include "core/clock.h"

namespace tocsin::schedule {

template <typename T>
class TimerWheel {
 public:
  // tick: the wheel's resolution; slots * tick is one revolution.
  TimerWheel(Micros tick, size_t slots, Micros now) : tick_(tick), slots_(slots) {
    current_ = now / tick_;
  }

  void Insert(Micros due, T value) {
    int64_t t = due / tick_;
    if (t < current_) t = current_;  // overdue: fire on the next Advance
    slots_[static_cast<size_t>(t) % slots_.size()].push_back(Item{due, std::move(value)});
    ++size_;
  }

  // Calls fire(due, value) for every item due at or before `now`, in no
  // particular order within a tick. fire may Insert.
  template <typename F>
  void Advance(Micros now, F&& fire) {
    const int64_t target = now / tick_;
    // After a long stall, one pass over every slot sees everything.
    const int64_t first = target - current_ >= static_cast<int64_t>(slots_.size())
                              ? target - static_cast<int64_t>(slots_.size()) + 1
                              : current_;
    for (int64_t t = first; t <= target; ++t) {
      auto& slot = slots_[static_cast<size_t>(t) % slots_.size()];
      for (size_t i = 0; i < slot.size();) {
        if (slot[i].due <= now) {
          Item item = std::move(slot[i]);
          slot[i] = std::move(slot.back());
          slot.pop_back();
          --size_;
          fire(item.due, std::move(item.value));
        } else {
          ++i;
        }
      }
    }
    current_ = target;
  }

  size_t size() const { return size_; }
  Micros tick() const { return tick_; }

 private:
  struct Item {
    Micros due;
    T value;
  };
  Micros tick_;
  std::vector<std::vector<Item>> slots_;
  int64_t current_;  // the last tick advanced to
  size_t size_ = 0;
};

}  // namespace tocsin::schedule
