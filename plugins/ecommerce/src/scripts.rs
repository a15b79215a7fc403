//! The scripts (话术) of manuals 001 and 003, one per scene, with the
//! customer's 称呼 and the shop's values filled in.
//!
//! Scene texts quote the manuals where they give wording: the opening and
//! closing of 003 ("您好,很高兴为您服务,请问有什么可以帮您?", "请问还有其他需求吗?",
//! shared with every manual through `sopline_sdk::common`), the complaint flow
//! of 001 (致歉平复心情—详细问引起不满的原因—给一个解决方案—不满意再询问投诉者解决想法—
//! 汇报上级领导—回访) and the after-sales duties (确认好订单状态、核实金额、问题分类、安抚情绪).

use sopline_sdk::common;
use sopline_sdk::prelude::*;
use sopline_sdk::span::format as format_span;

use crate::config::Config;

/// The template of a scene, if the plugin knows it.
fn template(scene: &str) -> Option<String> {
    let t = match scene {
        "greeting" => format!("{{称呼}},{}", common::OPENING),
        "pre-sales" => "{称呼},您想了解的尺码、材质、库存和发货时效我都可以为您解答,有任何问题请随时问我。".into(),
        "urge-payment" => "{称呼},您好,看到您在{店铺名称}拍下的订单{订单号}还没有付款,付款后我们会按顺序为您安排发货,有任何疑问我都可以为您解答。".into(),
        "after-sales" => "{称呼},您好,我先为您确认订单{订单号}的状态,请您稍等。".into(),
        "confirm-order" => "{称呼},跟您核对一下:订单{订单号}目前的状态是“{订单状态}”,对吗?".into(),
        "verify-amount" => "{称呼},跟您核实一下金额:订单实付{实付金额}元,本次退款{退款金额}元,请您确认。".into(),
        "classify-problem" => "{称呼},请问您遇到的是质量问题、少件错件、物流问题,还是需要退换货呢?我登记后按对应的标准为您处理。".into(),
        "calm-buyer" => "{称呼},非常理解您的心情,给您带来不便真的很抱歉。这个问题由我负责跟进到底,请您放心。".into(),
        "apology" => format!("{{称呼}},{}能具体说说是什么原因让您不满意吗?", common::APOLOGY),
        "complaint-solution" => "{称呼},针对您反映的问题,我们给您的解决方案是:……。您看这样可以吗?如果不满意,您希望我们怎么处理呢?".into(),
        "special-team" => "{称呼},您反映的问题我们非常重视,已经升级给专项小组处理,{专项时限}内给您解决方案。".into(),
        "hold" => "{称呼},请您稍等,我马上为您查询。".into(),
        "hold-return" => "{称呼},感谢您的耐心等待,".into(),
        "delivery-time" => "{称呼},您的订单预计{发货时效}送达,具体以物流信息为准。".into(),
        "invoice" => "{称呼},发票按平台规则开具:您可以在订单详情页申请,我们会按规则为您开具。".into(),
        "satisfaction-callback" => "{称呼},您好,我是{店铺名称}客服,您之前反映的问题已经处理完毕,想跟您确认一下您对处理结果是否满意?".into(),
        "callback-unsatisfied" => "{称呼},很抱歉处理结果没能让您满意,请问您希望我们怎么处理呢?我马上汇报主管,尽快给您回复。".into(),
        "closing" => format!("{{称呼}},{}感谢您对{{店铺名称}}的支持,祝您生活愉快!", common::CLOSING),
        _ => return None,
    };
    Some(t)
}

/// The text of a scene for a contact, placeholders filled.
pub fn render(cfg: &Config, scene: &str, contact: &Contact) -> Option<String> {
    let template = template(scene)?;
    let pending = "(待核实)";
    let field = |name: &str| contact.field(name).filter(|v| !v.is_empty()).unwrap_or(pending).to_string();
    let order = contact.field("order_id").filter(|v| !v.is_empty()).unwrap_or("").to_string();
    let special = human_span(&cfg.special_team_within);
    Some(common::render(
        &template,
        contact,
        &[
            ("店铺名称", &cfg.shop_name),
            ("发货时效", &cfg.delivery_estimate),
            ("订单号", &order),
            ("订单状态", &field("order_status")),
            ("实付金额", &field("paid_amount")),
            ("退款金额", &field("refund_amount")),
            ("专项时限", &special),
        ],
    ))
}

/// "24小时", "30分钟", "2天" for a script.
pub fn human_span(span: &Span) -> String {
    let (h, m, s) = (span.seconds / 3600, span.seconds / 60 % 60, span.seconds % 60);
    let mut out = String::new();
    if span.days > 0 {
        out.push_str(&format!("{}天", span.days));
    }
    if h > 0 {
        out.push_str(&format!("{h}小时"));
    }
    if m > 0 {
        out.push_str(&format!("{m}分钟"));
    }
    if s > 0 {
        out.push_str(&format!("{s}秒"));
    }
    if out.is_empty() {
        out = format_span(span);
    }
    out
}

/// A show-script action for a scene.
pub fn show(cfg: &Config, scene: &str, contact: &Contact) -> Option<Action> {
    render(cfg, scene, contact).map(|text| sopline_sdk::act::script(scene, &text))
}
