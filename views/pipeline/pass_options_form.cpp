#include "views/pipeline/pass_options_form.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QVBoxLayout>
#include <limits>

namespace kiln {
namespace {

// A 64-bit option (byte limits) can exceed what QSpinBox holds; QDoubleSpinBox with no
// decimals holds integers exactly up to 2^53, beyond any real limit.
QDoubleSpinBox* int_editor(const passes::OptionSpec& o, int64_t value) {
  auto* e = new QDoubleSpinBox;
  e->setDecimals(0);
  const bool ranged = o.min <= o.max;
  e->setRange(ranged ? o.min : -9.0e15, ranged ? o.max : 9.0e15);
  e->setValue(static_cast<double>(value));
  return e;
}

}  // namespace

PassOptionsForm::PassOptionsForm(QWidget* parent) : QWidget(parent), form_(new QFormLayout), title_(new QLabel) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  title_->setWordWrap(true);
  layout->addWidget(title_);
  layout->addLayout(form_);
}

void PassOptionsForm::set_pass(const passes::PassInfo* info, const Json& values) {
  info_ = info;
  while (form_->rowCount() > 0) form_->removeRow(0);
  editors_.clear();
  if (!info) {
    title_->setText(tr("Select a pass to see its options."));
    return;
  }
  title_->setText(info->options.empty() ? tr("<b>%1</b> has no options.").arg(QString::fromStdString(info->id))
                                        : tr("Options of <b>%1</b>").arg(QString::fromStdString(info->id)));
  passes::Options current;
  try {
    current = info->parse_options(values);
  } catch (const std::exception&) {
    current = info->default_options();
  }
  for (const passes::OptionSpec& o : info->options) {
    QWidget* editor = nullptr;
    switch (o.type) {
      case passes::OptionType::Bool: {
        auto* e = new QCheckBox;
        e->setChecked(current.get_bool(o.name));
        editor = e;
        break;
      }
      case passes::OptionType::Int: editor = int_editor(o, current.get_int(o.name)); break;
      case passes::OptionType::Float: {
        auto* e = new QDoubleSpinBox;
        e->setDecimals(6);
        e->setRange(o.min <= o.max ? o.min : -1e12, o.min <= o.max ? o.max : 1e12);
        e->setValue(current.get_float(o.name));
        editor = e;
        break;
      }
      case passes::OptionType::String: {
        auto* e = new QLineEdit(QString::fromStdString(current.get_string(o.name)));
        editor = e;
        break;
      }
      case passes::OptionType::Choice: {
        auto* e = new QComboBox;
        for (const std::string& c : o.choices) e->addItem(QString::fromStdString(c));
        e->setCurrentText(QString::fromStdString(current.get_string(o.name)));
        editor = e;
        break;
      }
    }
    editor->setToolTip(QString::fromStdString(o.summary));
    editor->setObjectName(QString::fromStdString(o.name));
    form_->addRow(QString::fromStdString(o.name), editor);
    editors_.push_back(editor);
  }
}

Json PassOptionsForm::options() const {
  Json out = Json::object();
  if (!info_) return out;
  for (size_t i = 0; i < info_->options.size(); ++i) {
    const passes::OptionSpec& o = info_->options[i];
    QWidget* w = editors_[i];
    Json v;
    switch (o.type) {
      case passes::OptionType::Bool: v = static_cast<QCheckBox*>(w)->isChecked(); break;
      case passes::OptionType::Int: v = static_cast<int64_t>(static_cast<QDoubleSpinBox*>(w)->value()); break;
      case passes::OptionType::Float: v = static_cast<QDoubleSpinBox*>(w)->value(); break;
      case passes::OptionType::String: v = static_cast<QLineEdit*>(w)->text().toStdString(); break;
      case passes::OptionType::Choice: v = static_cast<QComboBox*>(w)->currentText().toStdString(); break;
    }
    const bool is_default = std::visit(
        [&](const auto& d) {
          using T = std::decay_t<decltype(d)>;
          if constexpr (std::is_same_v<T, bool>) return v.as_bool() == d;
          else if constexpr (std::is_same_v<T, int64_t>) return v.is_int() && v.as_int() == d;
          else if constexpr (std::is_same_v<T, double>) return v.as_double() == d;
          else return v.as_string() == d;
        },
        o.default_value);
    if (!is_default) out[o.name] = std::move(v);
  }
  return out;
}

}  // namespace kiln
